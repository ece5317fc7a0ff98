import Foundation
import NostrCore
import PGAnalytics
import PurplePagesTestSupport
import Testing

/// With an analytics database, an import records every superseded version of
/// `analytics.history_kinds` in `event_history`, as the relay does for clients' replacements.
@Suite("purplepages-import records event history", .serialized)
struct ImportHistoryTests {
    @Test func supersededVersionsAreRecorded() async throws {
        let directory = try TemporaryDirectory(prefix: "import-history")
        let author = KeyPair.generate()
        let base = unixNow - 1000
        let profile = (1...4).map {
            author.event(.metadata, content: #"{"name":"v\#($0)"}"#, at: base + Int64($0) * 10)
        }
        let follows = (1...2).map {
            author.event(.followList, tags: [["p", author.publicKey.hex]], at: base + Int64($0))
        }
        let mute = (1...2).map { author.event(.muteList, at: base + Int64($0)) }  // not a history kind
        let first = directory.path + "/first.jsonl"
        // Newest profile first: the two older ones are superseded on arrival.
        try lines([profile[2], profile[0], profile[1], follows[1], follows[0], mute[1], mute[0]], to: first)
        let second = directory.path + "/second.jsonl"
        // A newer profile replaces the stored one.
        try lines([profile[3]], to: second)

        try await TestDatabase.withSchema { url in
            let config = try directory.config(#", "analytics": {"history_kinds": [0, 3]}"#)
            for file in [first, second] {
                let result = try await ExternalCommand.built("purplepages-import").run(
                    ["--config", config, "--analytics-db-url", url, file])
                #expect(result.status == 0, "\(result.errors)")
                #expect(result.errors.contains("superseded versions recorded"), "\(result.errors)")
            }
            let connection = try PostgresConnection(url: url)
            defer { connection.close() }
            let rows = try connection.execute("SELECT id FROM event_history ORDER BY id")
            let ids = Set(try (0..<rows.rowCount).map { try rows.rows[$0].string(0) ?? "" })
            #expect(ids == Set([profile[0], profile[1], profile[2], follows[0]].map(\.id.hex)))
        }
    }

    @Test func archiveEnabledFalseRecordsNothing() async throws {
        let directory = try TemporaryDirectory(prefix: "import-history")
        let author = KeyPair.generate()
        let file = directory.path + "/in.jsonl"
        try lines([author.event(.metadata, at: unixNow), author.event(.metadata, at: unixNow - 10)], to: file)
        let config = directory.path + "/off.json"
        let text = #"{"storage": {"path": "\#(directory.path)/store", "map_size_gb": 1, "archive_enabled": false}}"#
        try Data(text.utf8).write(to: URL(fileURLWithPath: config))
        try await TestDatabase.withSchema { url in
            let result = try await ExternalCommand.built("purplepages-import").run(
                ["--config", config, "--analytics-db-url", url, file])
            #expect(result.status == 0, "\(result.errors)")
            #expect(!result.errors.contains("superseded versions recorded"), "\(result.errors)")
            let connection = try PostgresConnection(url: url)
            defer { connection.close() }
            #expect(
                try connection.execute(
                    "SELECT 1 FROM pg_tables WHERE tablename = 'event_history' AND schemaname = current_schema()"
                ).rowCount == 0)
        }
    }

    @Test func anUnreachableDatabaseFailsBeforeImporting() async throws {
        let directory = try TemporaryDirectory(prefix: "import-history")
        let file = directory.path + "/in.jsonl"
        try lines([KeyPair.generate().event(.metadata, content: "{}")], to: file)
        let port = try freePort()
        let result = try await ExternalCommand.built("purplepages-import").run([
            "--config", try directory.config(), "--analytics-db-url",
            "postgresql://nobody@127.0.0.1:\(port)/none?connect_timeout=2", file,
        ])
        #expect(result.status == 1)
        #expect(result.errors.contains("event_history"), "\(result.errors)")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/store/data.mdb"), "nothing imported")
    }

    private func lines(_ events: [Event], to path: String) throws {
        try Data((events.map(\.jsonString).joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
    }
}
