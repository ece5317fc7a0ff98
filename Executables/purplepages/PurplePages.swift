// purplepages: the relay. Argument parsing and wiring only; everything else is in RelayServer.
import ArgumentParser
import Foundation
import Logging
import PurplePagesConfiguration
import RelayServer

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

    @Option(help: "Configuration file (absent: built-in defaults).")
    var config = "./config.json"

    @Option(help: "Listen on this port instead of server.port.")
    var port: Int?

    @Option(
        name: .customLong("analytics-db-url"),
        help: "PostgreSQL URL for analytics tracking, instead of storage.analytics_db_url (make run sets it).")
    var analyticsDatabaseURL: String?

    @Option(name: .customLong("import"), help: "Hand over to purplepages-import with this file.")
    var importFile: String?

    @Argument(
        parsing: .captureForPassthrough,
        help: "`analytics [OPTIONS]` hands over to purplepages-analytics with these options (e.g. --once).")
    var mode: [String] = []

    func run() async throws {
        if let importFile { try Handover.exec("purplepages-import", ["--config", config, importFile]) }
        if let first = mode.first {
            guard first == "analytics" else { throw ValidationError("unknown mode \"\(first)\" (only \"analytics\")") }
            try Handover.exec("purplepages-analytics", ["--config", config] + mode.dropFirst())
        }
        var configuration: RelayConfiguration
        do {
            configuration = try RelayConfiguration.load(path: config)
        } catch {
            FileHandle.standardError.write(Data("purplepages: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if let analyticsDatabaseURL { configuration.storage.analyticsDatabaseURL = analyticsDatabaseURL }
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        try await RelayService.run(configuration: configuration, port: port, logger: Logger(label: "purplepages"))
    }
}
