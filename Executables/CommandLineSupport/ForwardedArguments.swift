/// The shared option groups written back as arguments, for a command that hands over to another
/// PurplePages executable with the options it was given.
extension ConfigurationFileOption {
    /// `--config FILE` (always: the other executable then reads the same file).
    public var arguments: [String] { ["--config", config] }
}

extension AnalyticsDatabaseOption {
    /// `--analytics-db-url URL` when one was given.
    public var arguments: [String] { url.map { ["--analytics-db-url", $0] } ?? [] }
}

extension LoggingOptions {
    /// `--log-level LEVEL` when one was given.
    public var arguments: [String] { logLevel.map { ["--log-level", $0.rawValue] } ?? [] }
}
