import Foundation

/// What a finished command did.
public struct CommandResult: Sendable {
    /// Exit status (128 + signal for a signal).
    public var status: Int32
    /// Standard output.
    public var output: String
    /// Standard error.
    public var errors: String
}

/// Executables built next to the tests (`swift build --build-tests` builds every product), run
/// without blocking the concurrency pool.
public struct BuiltCommand: Sendable {
    /// The executable's path.
    public let path: String

    /// The built executable `name` under the nearest `.build/debug`.
    public init(_ name: String, file: String = #filePath) throws {
        var directory = URL(fileURLWithPath: file).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent(".build/debug/\(name)").path
            if FileManager.default.isExecutableFile(atPath: candidate) {
                path = candidate
                return
            }
            directory.deleteLastPathComponent()
        }
        throw TestSetupFailure("no .build/debug/\(name): build it first (`swift build --build-tests` builds it too)")
    }

    /// Starts the command with `arguments`, standard output and error going to files; `started`
    /// gets the process (to signal it) and the standard-error path (to watch it).
    public func run(
        _ arguments: [String], started: @Sendable (Process, String) async throws -> Void = { _, _ in }
    ) async throws -> CommandResult {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cmd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let stdoutPath = directory.appendingPathComponent("stdout").path
        let stderrPath = directory.appendingPathComponent("stderr").path
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try process.run()
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
        return CommandResult(
            status: process.terminationReason == .uncaughtSignal
                ? 128 + process.terminationStatus : process.terminationStatus,
            output: (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "",
            errors: (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "")
    }

    /// Waits (polling, without blocking a thread) until the file at `path` contains `text`.
    public static func waitForText(_ text: String, inFile path: String, timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let contents = try? String(contentsOfFile: path, encoding: .utf8), contents.contains(text) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        let contents = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        throw TestSetupFailure("timed out waiting for \"\(text)\" in \(path); it holds:\n\(contents)")
    }
}
