import ArgumentParser
import CommandLineSupport
import PurplePagesConfiguration
import RelayServices

/// `purplepages [serve]`: the relay, until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the relay (what `purplepages` does without a subcommand).")

    @OptionGroup var configurationFile: ConfigurationFileOption

    @Option(help: "Listen on this port instead of server.port.")
    var port: Int?

    @OptionGroup var analyticsDatabase: AnalyticsDatabaseOption

    @OptionGroup var logging: LoggingOptions

    @Option(
        name: .customLong("import"),
        help: "Hand over to purplepages-import with this file and the other options (the migration runbook's form).")
    var importFile: String?

    /// purplepages-import's own options and further files, for `--import` only.
    @Argument(parsing: .allUnrecognized, help: .hidden)
    var importArguments: [String] = []

    func run() async throws {
        if let importFile {
            try Handover.exec(
                "purplepages-import",
                configurationFile.arguments + analyticsDatabase.arguments + logging.arguments + importArguments
                    + [importFile])
        }
        guard importArguments.isEmpty else {
            throw ValidationError("unknown argument \"\(importArguments[0])\" (see purplepages --help)")
        }
        let logger = try logging.bootstrap(label: "purplepages")
        var configuration = try configurationFile.load(tool: "purplepages")
        analyticsDatabase.apply(to: &configuration)
        do {
            try await RelayProcess.run(configuration: configuration, port: port, logger: logger)
        } catch let error as ConfigurationError {
            standardError("purplepages: \(error)\n")
            throw ExitCode(2)
        }
    }
}
