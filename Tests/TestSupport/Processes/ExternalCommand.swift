import Foundation

/// What a finished command did.
public struct CommandResult: Sendable {
    /// Exit status (128 + signal for a signal).
    public var status: Int32
    /// Standard output (empty when it went to a file of the caller's).
    public var output: String
    /// Standard error.
    public var errors: String
}

/// An executable the tests run as a child process: one built next to the tests
/// (`swift build --build-tests` builds every product) or one on the PATH (`psql`). Runs never block
/// the concurrency pool.
public struct ExternalCommand: Sendable {
    /// The executable's path.
    public let path: String
    /// Arguments before the ones a run is given (the command's name, for `/usr/bin/env`).
    private let leadingArguments: [String]

    /// The built executable `name` under the nearest `.build/debug`.
    public static func built(_ name: String, file: String = #filePath) throws -> ExternalCommand {
        var directory = URL(fileURLWithPath: file).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent(".build/debug/\(name)").path
            if FileManager.default.isExecutableFile(atPath: candidate) {
                return ExternalCommand(path: candidate, leadingArguments: [])
            }
            directory.deleteLastPathComponent()
        }
        throw TestFailure("no .build/debug/\(name): build it first (`swift build --build-tests` builds it too)")
    }

    /// The executable at `path`.
    public static func at(_ path: String) -> ExternalCommand {
        ExternalCommand(path: path, leadingArguments: [])
    }

    /// The command `name`, found on the PATH when it runs.
    public static func onPath(_ name: String) -> ExternalCommand {
        ExternalCommand(path: "/usr/bin/env", leadingArguments: [name])
    }

    /// Runs the command with `arguments` and waits for it to exit. Standard input comes from the file
    /// at `input` (nothing without one); standard output goes to `outputPath` when given (then
    /// `output` is empty); `environment` is this process's with those variables set (an empty value
    /// unsets one); `started` gets the process (to signal it) and the path standard error goes to (to
    /// watch it) while the command runs.
    public func run(
        _ arguments: [String], input: String? = nil, outputPath: String? = nil, environment: [String: String] = [:],
        started: @Sendable (Process, String) async throws -> Void = { _, _ in }
    ) async throws -> CommandResult {
        let directory = try TemporaryDirectory(prefix: "cmd")
        let stdoutPath = outputPath ?? directory.path + "/stdout"
        let stderrPath = directory.path + "/stderr"
        let process = try start(
            arguments, input: try input.map { try FileHandle(forReadingFrom: URL(fileURLWithPath: $0)) },
            outputPath: stdoutPath, errorPath: stderrPath, environment: environment)
        do {
            try await started(process, stderrPath)
        } catch {
            process.terminate()
            throw error
        }
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume()
            }
        }
        return withExtendedLifetime(directory) {
            CommandResult(
                status: process.terminationReason == .uncaughtSignal
                    ? 128 + process.terminationStatus : process.terminationStatus,
                output: outputPath == nil ? (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" : "",
                errors: (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "")
        }
    }

    /// Starts the command with `arguments`: standard input from `input` (nothing without one),
    /// standard output and error into (new, empty) files at `outputPath` (discarded without one) and
    /// `errorPath`, in `directory` (this process's without one), with `environment` set over this
    /// process's (an empty value unsets a variable).
    func start(
        _ arguments: [String], input: FileHandle? = nil, outputPath: String?, errorPath: String,
        directory: String? = nil, environment: [String: String] = [:]
    ) throws -> Process {
        for path in [outputPath, errorPath].compactMap(\.self) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw TestFailure("cannot create \(path)")
            }
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = leadingArguments + arguments
        process.currentDirectoryURL = directory.map { URL(fileURLWithPath: $0) }
        if !environment.isEmpty {
            var merged = ProcessInfo.processInfo.environment
            for (name, value) in environment { merged[name] = value.isEmpty ? nil : value }
            process.environment = merged
        }
        process.standardInput = input ?? FileHandle.nullDevice
        process.standardOutput =
            try outputPath.map { try FileHandle(forWritingTo: URL(fileURLWithPath: $0)) } ?? FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        try process.run()
        return process
    }

    /// Waits (polling, without blocking a thread) until the file at `path` contains `text`.
    public static func waitForText(_ text: String, inFile path: String, timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let contents = try? String(contentsOfFile: path, encoding: .utf8), contents.contains(text) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        let contents = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        throw TestFailure("timed out waiting for \"\(text)\" in \(path); it holds:\n\(contents)")
    }
}
