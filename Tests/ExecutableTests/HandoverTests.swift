import Foundation
import LMDBStore
import NostrCore
import PGAnalytics
import PurplePagesTestSupport
import Testing

/// `purplepages --import FILE`, `purplepages import ...` and `purplepages analytics ...`: the
/// migration runbook's hand-overs, run as an operator runs them, with `purplepages` found through
/// `$PATH` as a symlink (its siblings are where the real executable is, not where `argv[0]` says).
@Suite("purplepages hand-overs as processes", .serialized)
struct HandoverTests {
    /// A directory on a private PATH holding only a symlink to the built `purplepages`.
    private static func pathWithSymlink(in directory: TemporaryDirectory) throws -> [String: String] {
        let bin = directory.path + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: bin + "/purplepages", withDestinationPath: try ExternalCommand.built("purplepages").path)
        return ["PATH": bin + ":/usr/bin:/bin"]
    }

    private static func writeConfig(_ directory: TemporaryDirectory) throws -> String {
        let path = directory.path + "/config.json"
        let text = #"{"storage": {"path": "\#(directory.path)/store", "map_size_gb": 1}}"#
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    private static func storedIDs(_ path: String) throws -> Set<String> {
        let store = try EventStore(configuration: .init(path: path, readOnly: true))
        defer { store.close() }
        var ids: Set<String> = []
        try store.scanAll { stored in
            ids.insert(try Event(json: Array(stored.json)).id.hex)
            return true
        }
        return ids
    }

    @Test func importHandsOverWithEveryOption() async throws {
        let directory = try TemporaryDirectory(prefix: "handover")
        let environment = try Self.pathWithSymlink(in: directory)
        let config = try Self.writeConfig(directory)
        let author = KeyPair.generate()
        let events = (0..<5).map { author.event(1, content: "note \($0)", at: unixNow - Int64($0)) }
        let file = directory.path + "/events.jsonl"
        try Data((events.map(\.jsonString) + ["not json"]).joined(separator: "\n").utf8)
            .write(to: URL(fileURLWithPath: file))

        // `--strict` is purplepages-import's own option: forwarded, it stops at the bad line (status 1).
        let strict = try await ExternalCommand.onPath("purplepages").run(
            ["--import", file, "--config", config, "--all-kinds", "--strict"], environment: environment)
        #expect(strict.status == 1, "stdout \(strict.output) stderr \(strict.errors)")
        #expect(strict.errors.contains("\(file):6: invalid"), "\(strict.errors)")

        let result = try await ExternalCommand.onPath("purplepages").run(
            ["--import", file, "--config", config, "--all-kinds"], environment: environment)
        #expect(result.status == 0, "stdout \(result.output) stderr \(result.errors)")
        #expect(try Self.storedIDs(directory.path + "/store") == Set(events.map(\.id.hex)))

        // The subcommand form forwards everything too: export the store back.
        let export = try await ExternalCommand.onPath("purplepages").run(
            ["import", "export", "--config", config], environment: environment)
        #expect(export.status == 0, "\(export.errors)")
        #expect(Set(export.output.split(separator: "\n").map(String.init)) == Set(events.map(\.jsonString)))
    }

    @Test func analyticsHandsOverWithEveryOption() async throws {
        let directory = try TemporaryDirectory(prefix: "handover")
        let environment = try Self.pathWithSymlink(in: directory)
        let config = try Self.writeConfig(directory)
        let follows = KeyPair.generate().event(.followList, tags: [["p", KeyPair.generate().publicKey.hex]])
        let file = directory.path + "/events.jsonl"
        try Data(follows.jsonString.utf8).write(to: URL(fileURLWithPath: file))
        let imported = try await ExternalCommand.onPath("purplepages").run(
            ["--import", file, "--config", config], environment: environment)
        #expect(imported.status == 0, "\(imported.errors)")

        let version = try await ExternalCommand.onPath("purplepages").run(
            ["analytics", "--version"], environment: environment)
        let own = try await ExternalCommand.built("purplepages-analytics").run(["--version"])
        #expect(version.status == 0 && version.output == own.output, "\(version.output) \(version.errors)")

        try await TestDatabase.withSchema { url in
            let result = try await ExternalCommand.onPath("purplepages").run(
                // Options before the subcommand's name are forwarded too.
                ["--config", config, "analytics", "--once", "--analytics-db-url", url, "--log-level", "debug"],
                environment: environment)
            #expect(result.status == 0, "\(result.errors)")
            #expect(
                result.errors.contains(" debug purplepages-analytics: "), "--log-level was forwarded: \(result.errors)")
            let connection = try PostgresConnection(url: url)
            defer { connection.close() }
            #expect(try connection.scalar("SELECT count(*) FROM schema_migrations").flatMap { Int($0) } ?? 0 > 0)
        }
    }

    @Test func aMissingSiblingIsSaidNotCrashed() async throws {
        let directory = try TemporaryDirectory(prefix: "handover")
        // A copy, not a symlink: its real directory has no purplepages-analytics.
        let lonely = directory.path + "/purplepages"
        try FileManager.default.copyItem(atPath: try ExternalCommand.built("purplepages").path, toPath: lonely)
        let result = try await ExternalCommand.at(lonely).run(["analytics", "--once"])
        #expect(result.status == 1)
        #expect(
            result.errors.contains("purplepages-analytics is not installed next to purplepages"), "\(result.errors)")
        #expect(result.errors.contains(directory.path), "names where it looked: \(result.errors)")
    }
}
