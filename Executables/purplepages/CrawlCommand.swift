import ArgumentParser
import CommandLineSupport
import PurplePagesConfiguration
import RelayServices

/// `purplepages crawl --once [--relay URL]...`: one pass of the network crawler, for cron and tests.
struct CrawlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crawl",
        abstract: "Run one pass of the network crawler (seed relays, discovered relays, outbox) and exit.",
        discussion: """
            Uses the configuration's sync.* keys whether or not sync.enabled is set (the relay runs the \
            crawler continuously when it is). One pass: new relay lists are read for relays, every seed \
            relay is visited (its backfill runs to the end, or it brings what is new) and every discovered \
            relay that is due, then the outbox pass runs (with the analytics database). Exit status: 0 ok (the summary says how many visits failed), 1 the \
            store or the crawler's state could not be opened, 2 usage or configuration error.
            """)

    @OptionGroup var configurationFile: ConfigurationFileOption

    @Flag(help: "Run one pass and exit (required: the relay runs the crawler continuously).")
    var once = false

    @Option(name: .customLong("relay"), help: "A seed relay on top of sync.relays (repeatable).")
    var relays: [String] = []

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        guard once else {
            throw ValidationError("crawl runs one pass with --once; the relay crawls continuously when sync.enabled")
        }
        let logger = try logging.bootstrap(label: "purplepages")
        let configuration = try configurationFile.load(tool: "purplepages")
        for warning in configuration.warnings { logger.warning("\(warning)") }
        do {
            let summary = try await CrawlOnce.run(configuration: configuration, seeds: relays, logger: logger)
            print(summary.line)
        } catch let error as ConfigurationError {
            standardError("purplepages: \(error)\n")
            throw ExitCode(2)
        } catch {
            standardError("purplepages crawl: \(error)\n")
            throw ExitCode(1)
        }
    }
}
