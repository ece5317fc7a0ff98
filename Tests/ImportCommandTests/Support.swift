import Foundation

/// A failure of the test machinery (a missing binary or database), saying what to do.
struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The throwaway PostgreSQL `make test` starts (`scripts/with-postgres`).
enum TestDatabase {
    static func url() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["PURPLEPAGES_TEST_DATABASE_URL"], !url.isEmpty else {
            throw TestFailure("PURPLEPAGES_TEST_DATABASE_URL is not set: run the tests with `make test`")
        }
        return url
    }

    /// `url` with `search_path` set to `schema`, so a test's `event` table is its own.
    static func url(schema: String) throws -> String {
        let base = try url()
        let separator = base.contains("?") ? "&" : "?"
        return base + separator + "options=-csearch_path%3D" + schema
    }
}

/// What a finished command did.
struct CommandResult {
    var status: Int32
    var output: String
    var errors: String
}

/// Runs executables built next to these tests (`.build/debug`) or on the PATH.
enum Command {
    /// The built executable `name` (`swift build --build-tests` builds every product).
    static func built(_ name: String, file: String = #filePath) throws -> String {
        var directory = URL(fileURLWithPath: file).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent(".build/debug/\(name)").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        throw TestFailure("no .build/debug/\(name): build it first (`swift build --build-tests` builds it too)")
    }

    /// Runs `executable` with `arguments`, standard input from `input` (a path) or nothing, and
    /// standard output into `outputPath` when given; waits on a Dispatch thread, never blocking the
    /// concurrency pool.
    static func run(
        _ executable: String, _ arguments: [String], input: String? = nil, outputPath: String? = nil
    ) async throws -> CommandResult {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cmd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let stdoutPath = outputPath ?? directory.appendingPathComponent("stdout").path
        let stderrPath = directory.appendingPathComponent("stderr").path
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
        process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
        process.standardInput =
            try input.map { try FileHandle(forReadingFrom: URL(fileURLWithPath: $0)) }
            ?? FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try process.run()
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume()
            }
        }
        let output = outputPath == nil ? (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" : ""
        let errors = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        return CommandResult(status: process.terminationStatus, output: output, errors: errors)
    }
}

/// A temporary directory removed when released.
final class TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        path =
            FileManager.default.temporaryDirectory.appendingPathComponent("purplepages-import-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A config.json storing events under this directory; returns its path.
    func config(_ extra: String = "") throws -> String {
        let path = self.path + "/config.json"
        let text = #"{"storage": {"path": "\#(self.path)/store", "map_size_gb": 1}\#(extra)}"#
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
