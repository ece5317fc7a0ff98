import ArgumentParser
import PurplePagesConfiguration

/// `--config FILE`, the same in every PurplePages command: the configuration file, read with the
/// built-in defaults when it is absent.
public struct ConfigurationFileOption: ParsableArguments {
    /// The configuration file.
    @Option(help: "The configuration file (absent: built-in defaults).")
    public var config = "./config.json"

    public init() {}

    /// Reads the file. An invalid one is said once on standard error, as `TOOL: FILE: KEY: REASON`,
    /// and the command exits with status 2.
    public func load(tool: String) throws -> RelayConfiguration {
        do {
            return try RelayConfiguration.load(path: config)
        } catch {
            standardError("\(tool): \(error)\n")
            throw ExitCode(2)
        }
    }
}

/// `--analytics-db-url URL`, the same in every command that writes analytics: overrides
/// `storage.analytics_db_url`.
public struct AnalyticsDatabaseOption: ParsableArguments {
    /// The PostgreSQL URL, if given.
    @Option(
        name: .customLong("analytics-db-url"),
        help: "The analytics database, a PostgreSQL URL (overrides storage.analytics_db_url).")
    public var url: String?

    public init() {}

    /// `configuration` with the URL in place of `storage.analytics_db_url`, when one was given.
    public func apply(to configuration: inout RelayConfiguration) {
        if let url { configuration.storage.analyticsDatabaseURL = url }
    }
}
