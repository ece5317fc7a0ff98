import ArgumentParser
import Foundation
import Logging

/// `--log-level LEVEL`, the same in every PurplePages command, and the one place a command's
/// logging is set up (`bootstrap(label:)`): every record goes to standard error in the format of
/// `LogLineHandler`.
public struct LoggingOptions: ParsableArguments {
    /// The level asked for on the command line, if any.
    @Option(
        name: .customLong("log-level"),
        help: ArgumentHelp(
            "Write log records at this level and above (default: the LOG_LEVEL environment variable, else info).",
            valueName: "trace|debug|info|notice|warning|error|critical"))
    public var logLevel: Logger.Level?

    public init() {}

    /// The environment variable that gives the level when `--log-level` does not.
    public static let environmentVariable = "LOG_LEVEL"

    /// `--log-level`, else `LOG_LEVEL` (any case; empty counts as unset), else `info`. A `LOG_LEVEL`
    /// that names no level is an error even with `--log-level`, so that a typo in a unit file never
    /// goes unnoticed: it throws `InvalidLogLevel`.
    public func level(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Logger.Level {
        var fromEnvironment: Logger.Level?
        if let text = environment[Self.environmentVariable], !text.isEmpty {
            guard let level = Logger.Level(rawValue: text.lowercased()) else { throw InvalidLogLevel(value: text) }
            fromEnvironment = level
        }
        return logLevel ?? fromEnvironment ?? .info
    }

    /// Installs the log format for the whole process (once per process, at the start of `run()`)
    /// and returns the command's logger, labelled `label` (the executable's name). An invalid
    /// `LOG_LEVEL` is said on standard error as `TOOL: LOG_LEVEL: REASON` and exits with status 2,
    /// like an invalid configuration.
    public func bootstrap(label: String) throws -> Logger {
        let level: Logger.Level
        do {
            level = try self.level()
        } catch {
            standardError("\(label): \(error)\n")
            throw ExitCode(2)
        }
        LoggingSystem.bootstrap { LogLineHandler(label: $0, logLevel: level) }
        return Logger(label: label)
    }

    /// A `LOG_LEVEL` that names no level.
    public struct InvalidLogLevel: Error, CustomStringConvertible {
        /// The variable's value.
        public var value: String

        public var description: String {
            let levels = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            return "\(LoggingOptions.environmentVariable): not a log level (\(levels)): \"\(value)\""
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
