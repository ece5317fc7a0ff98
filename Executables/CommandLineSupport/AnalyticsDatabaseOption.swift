import ArgumentParser
import PurplePagesConfiguration

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
