import ArgumentParser
import CommandLineSupport
import Foundation
import LMDBStore

/// `purplepages compact [--output DIR]`: a compacted copy of the store, safe beside a running relay.
struct CompactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Write a compacted copy of the event store (safe while the relay runs), for backups or a swap.",
        discussion: """
            The copy is one consistent snapshot without free pages. To put it in place: stop the relay, \
            move storage.path's data.mdb aside, move the copy's data.mdb into storage.path, start the relay \
            (events written after the copy started are not in it). Exit status: 0 ok, 1 failure, 2 usage or \
            configuration error.
            """)

    @OptionGroup var configurationFile: ConfigurationFileOption

    @Option(help: "Directory for the copy (created; must not hold a store yet). Default: storage.path + \".compact\".")
    var output: String?

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        let logger = try logging.bootstrap(label: "purplepages")
        let configuration = try configurationFile.load(tool: "purplepages")
        for warning in configuration.warnings { logger.warning("\(warning)") }
        let source = configuration.storage.path
        let destination = output ?? source + ".compact"
        let started = ContinuousClock.now
        do {
            let store = try EventStore(configuration: configuration.eventStore(readOnly: true))
            try store.writeCompactedCopy(to: destination)
            store.close()
            var copyConfiguration = configuration.eventStore(readOnly: true)
            copyConfiguration.path = destination
            let copy = try EventStore(configuration: copyConfiguration)
            let events = try copy.statistics().totalEvents
            copy.close()
            let seconds = (ContinuousClock.now - started).components.seconds
            print("purplepages compact: \(source) -> \(destination) in \(seconds) s: \(events) events")
            print("  data.mdb \(Self.size(source)) -> \(Self.size(destination))")
            print(
                "  to use it: stop the relay, move \(source)/data.mdb aside, move \(destination)/data.mdb into \(source)/"
            )
        } catch {
            standardError("purplepages compact: \(error)\n")
            throw ExitCode(1)
        }
    }

    private static func size(_ directory: String) -> String {
        let bytes =
            (try? FileManager.default.attributesOfItem(atPath: directory + "/data.mdb")[.size] as? NSNumber)?
            .int64Value ?? 0
        return String(format: "%.1f MiB", Double(bytes) / 1_048_576)
    }
}
