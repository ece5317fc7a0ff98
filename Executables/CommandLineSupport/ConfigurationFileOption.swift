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
