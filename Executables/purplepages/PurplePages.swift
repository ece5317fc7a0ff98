// purplepages: the relay. Argument parsing and wiring only; the process is RelayServices's.
import ArgumentParser
import CommandLineSupport
import Foundation
import Logging
import RelayServices

@main
struct PurplePages: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purplepages",
        abstract: "A Nostr relay for profiles, follow lists, relay lists and NIP-51 lists.",
        discussion: """
            `purplepages --import FILE` runs purplepages-import, and `purplepages analytics` runs
            purplepages-analytics, both from the same directory, so the migration runbook works as written.
            """
    )

    @OptionGroup var configurationFile: ConfigurationFileOption

    @Option(help: "Listen on this port instead of server.port.")
    var port: Int?

    @OptionGroup var analyticsDatabase: AnalyticsDatabaseOption

    @Option(name: .customLong("import"), help: "Hand over to purplepages-import with this file.")
    var importFile: String?

    @Argument(
        parsing: .captureForPassthrough,
        help: "`analytics [OPTIONS]` hands over to purplepages-analytics with these options (e.g. --once).")
    var mode: [String] = []

    func run() async throws {
        let config = configurationFile.config
        if let importFile { try Handover.exec("purplepages-import", ["--config", config, importFile]) }
        if let first = mode.first {
            // The pass-through argument takes every word, `--help` too.
            if first == "--help" || first == "-h" {
                print(Self.helpMessage())
                return
            }
            guard first == "analytics" else { throw ValidationError("unknown mode \"\(first)\" (only \"analytics\")") }
            try Handover.exec("purplepages-analytics", ["--config", config] + mode.dropFirst())
        }
        var configuration = try configurationFile.load(tool: "purplepages")
        analyticsDatabase.apply(to: &configuration)
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        try await RelayProcess.run(configuration: configuration, port: port, logger: Logger(label: "purplepages"))
    }
}
