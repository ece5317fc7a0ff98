import Foundation
import LMDBStore
import NostrCore
import NostrCoreTesting
import PurplePagesTestSupport
import Testing

/// `purplepages-import` as an operator runs it: standard input, exit statuses and messages,
/// `--strict`, `--errors`, and export then import.
@Suite("purplepages-import as a process")
struct ImportCommandTests {
    private static let events = CorpusGenerator(pubkeys: 40, seed: 11).allEvents()

    private func writeJSONL(_ events: [Event], to path: String, extraLines: [String] = []) throws {
        let text = (events.map(\.jsonString) + extraLines).joined(separator: "\n") + "\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    private func storedJSON(_ path: String) throws -> Set<String> {
        let store = try EventStore(configuration: .init(path: path, readOnly: true))
        defer { store.close() }
        var stored: Set<String> = []
        try store.scanAll { event in
            stored.insert(String(decoding: event.json, as: UTF8.self))
            return true
        }
        return stored
    }

    @Test func readsStandardInput() async throws {
        let directory = try TemporaryDirectory(prefix: "purplepages-import")
        try writeJSONL(Self.events, to: directory.path + "/in.jsonl")
        let result = try await ExternalCommand.built("purplepages-import").run(
            ["--config", try directory.config(), "-"],
            input: directory.path + "/in.jsonl")
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.contains("imported            \(Self.events.count)"), "\(result.output)")
        #expect(try storedJSON(directory.path + "/store") == Set(Self.events.map(\.jsonString)))
    }

    @Test func badLinesAreCountedAndWrittenToTheErrorsFile() async throws {
        let directory = try TemporaryDirectory(prefix: "purplepages-import")
        let good = Array(Self.events.prefix(5))
        var forged = Self.events[5].jsonString
        forged = forged.replacingOccurrences(of: Self.events[5].sig.hex, with: String(repeating: "0", count: 128))
        try writeJSONL(good, to: directory.path + "/in.jsonl", extraLines: ["not json", forged, ""])
        let result = try await ExternalCommand.built("purplepages-import").run([
            "--config", try directory.config(), "--errors", directory.path + "/errors.jsonl",
            directory.path + "/in.jsonl",
        ])
        #expect(result.status == 0, "bad lines are not fatal: \(result.errors)")
        #expect(result.output.contains("imported            5"), "\(result.output)")
        #expect(result.output.contains("invalid             2"), "\(result.output)")
        let errors = try String(contentsOfFile: directory.path + "/errors.jsonl", encoding: .utf8)
            .split(separator: "\n").map { try JSONValue.parse(String($0)) }
        #expect(errors.map { $0["line"]?.int64Value } == [6, 7])
        #expect(errors.allSatisfy { $0["file"]?.stringValue == directory.path + "/in.jsonl" })
        #expect(errors[1]["reason"]?.stringValue?.hasPrefix("invalid:") == true)
        #expect(errors[1]["text"]?.stringValue == forged)
    }

    @Test func strictStopsAtTheFirstBadLineNamingIt() async throws {
        let directory = try TemporaryDirectory(prefix: "purplepages-import")
        try writeJSONL(Array(Self.events.prefix(3)), to: directory.path + "/in.jsonl", extraLines: ["{}"])
        let result = try await ExternalCommand.built("purplepages-import").run([
            "--config", try directory.config(), "--strict", directory.path + "/in.jsonl",
        ])
        #expect(result.status == 1)
        #expect(result.errors.contains(directory.path + "/in.jsonl:4: invalid:"), "\(result.errors)")
        // What came before the bad line is committed.
        #expect(try storedJSON(directory.path + "/store").count == 3)
    }

    @Test func aMissingFileIsAnIOErrorNamingIt() async throws {
        let directory = try TemporaryDirectory(prefix: "purplepages-import")
        let result = try await ExternalCommand.built("purplepages-import").run([
            "--config", try directory.config(), directory.path + "/nope.jsonl",
        ])
        #expect(result.status == 1)
        #expect(result.errors.contains("nope.jsonl"), "\(result.errors)")
    }

    @Test func anInvalidConfigurationExitsWith2NamingTheKey() async throws {
        let directory = try TemporaryDirectory(prefix: "purplepages-import")
        let config = try directory.config(#", "limits": {"max_event_tags": "many"}"#)
        try writeJSONL(Array(Self.events.prefix(1)), to: directory.path + "/in.jsonl")
        let result = try await ExternalCommand.built("purplepages-import").run([
            "--config", config, directory.path + "/in.jsonl",
        ])
        #expect(result.status == 2)
        #expect(result.errors.contains("limits.max_event_tags"), "\(result.errors)")
    }

    @Test func kindsOutsideAllowedKindsAreRejectedUnlessAllKinds() async throws {
        let directory = try TemporaryDirectory(prefix: "purplepages-import")
        let note = KeyPair.generate().sign(kind: 1, tags: [], content: "a note", createdAt: 1_700_000_000)
        try writeJSONL([note], to: directory.path + "/in.jsonl")
        let refused = try await ExternalCommand.built("purplepages-import").run([
            "--config", try directory.config(), directory.path + "/in.jsonl",
        ])
        #expect(refused.output.contains("rejected kinds      1"), "\(refused.output)")
        let allowed = try await ExternalCommand.built("purplepages-import").run([
            "--config", try directory.config(), "--all-kinds", directory.path + "/in.jsonl",
        ])
        #expect(allowed.output.contains("imported            1"), "\(allowed.output)")
    }

    /// The rollback path of the runbook: export the store (gzip), import into an empty one.
    @Test func exportThenImportGivesTheSameEvents() async throws {
        let source = try TemporaryDirectory(prefix: "purplepages-import")
        try writeJSONL(Self.events, to: source.path + "/in.jsonl")
        let imported = try await ExternalCommand.built("purplepages-import").run([
            "--config", try source.config(), source.path + "/in.jsonl",
        ])
        #expect(imported.status == 0, "\(imported.errors)")
        let exported = try await ExternalCommand.built("purplepages-import").run([
            "export", "--config", try source.config(), "-o", source.path + "/backup.jsonl.gz",
        ])
        #expect(exported.status == 0, "\(exported.errors)")
        #expect(exported.errors.contains("exported \(Self.events.count) events"), "\(exported.errors)")

        let target = try TemporaryDirectory(prefix: "purplepages-import")
        let restored = try await ExternalCommand.built("purplepages-import").run([
            "--config", try target.config(), source.path + "/backup.jsonl.gz",
        ])
        #expect(restored.status == 0, "\(restored.errors)")
        #expect(try storedJSON(target.path + "/store") == storedJSON(source.path + "/store"))

        let profiles = try await ExternalCommand.built("purplepages-import").run([
            "export", "--config", try source.config(), "--filter", #"{"kinds":[0]}"#,
        ])
        let lines = profiles.output.split(separator: "\n")
        #expect(lines.count == Self.events.filter { $0.kind == .metadata }.count)
        #expect(lines.allSatisfy { $0.contains(#""kind":0,"#) })
    }
}

/// Ctrl-C: the import stops, keeps what it read, says so with status 130, and running it again
/// finishes the job.
@Suite("purplepages-import interrupted")
struct ImportInterruptTests {
    @Test func sigintStopsCleanlyAndARerunCompletes() async throws {
        let events = CorpusGenerator(pubkeys: 60, seed: 12).allEvents()
        let directory = try TemporaryDirectory(prefix: "purplepages-import")
        let config = try directory.config()
        let command = try ExternalCommand.built("purplepages-import")
        // Standard input stays open after the first half, so the signal arrives mid-import.
        let process = Process()
        let input = Pipe()
        process.executableURL = URL(fileURLWithPath: command.path)
        process.arguments = ["--config", config, "-"]
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let half = events.count / 2
        try input.fileHandleForWriting.write(
            contentsOf: Data(events.prefix(half).map { $0.jsonString + "\n" }.joined().utf8))
        // The signal handler is installed right after the store is opened: wait for the store.
        let deadline = ContinuousClock.now + .seconds(20)
        while !FileManager.default.fileExists(atPath: directory.path + "/store/data.mdb") {
            guard ContinuousClock.now < deadline else { throw TestFailure("the import did not open its store") }
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(300))
        process.interrupt()
        try await Task.sleep(for: .milliseconds(100))
        try input.fileHandleForWriting.close()
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume()
            }
        }
        #expect(process.terminationReason == .exit, "SIGINT must not kill the import")
        #expect(process.terminationStatus == 130)

        let all = directory.path + "/all.jsonl"
        try Data(events.map { $0.jsonString + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: all))
        let rerun = try await command.run(["--config", config, all])
        #expect(rerun.status == 0, "\(rerun.errors)")
        #expect(rerun.output.contains("duplicates          \(half)"), "the first half was kept: \(rerun.output)")
        #expect(rerun.output.contains("imported            \(events.count - half)"), "\(rerun.output)")
    }
}
