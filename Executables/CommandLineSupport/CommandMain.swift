import ArgumentParser
import Foundation

/// PurplePages's exit statuses: 0 ok, 1 runtime failure, 2 usage or configuration error
/// (ArgumentParser's own `main()` exits 64 for usage errors). Each executable's `main()` calls
/// `runAsMain()`, which parses and runs like ArgumentParser's but says usage errors with status 2.
extension ParsableCommand {
    /// Parses `arguments` (default: the process's), runs the command and exits.
    public static func runAsMain(arguments: [String]? = nil) {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            exitForError(error)
        }
        Foundation.exit(0)
    }

    /// Prints what `error` says (help and `--version` are errors to ArgumentParser) and exits
    /// with PurplePages's status for it.
    public static func exitForError(_ error: any Error) -> Never {
        guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
        standardError(fullMessage(for: error) + "\n")
        Foundation.exit(2)
    }
}

extension AsyncParsableCommand {
    /// Parses `arguments` (default: the process's), runs the command (its async `run()`, or a
    /// synchronous subcommand's) and exits.
    public static func runAsMain(arguments: [String]? = nil) async {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exitForError(error)
        }
        Foundation.exit(0)
    }
}
