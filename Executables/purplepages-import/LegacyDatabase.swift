import EventTransfer
import PGAnalytics

/// `--from-postgres URL`: the legacy eventstore `event` table, streamed through a server-side
/// cursor (memory stays bounded whatever the table's size).
enum LegacyDatabase {
    static func importEvents(from url: String, into importer: EventImporter) throws {
        let connection = try PostgresConnection(url: url)
        defer { connection.close() }
        try importer.importLines(from: "postgres:event") { emit in
            try connection.cursor(LegacyEventRow.query, batchSize: 5_000) { row in
                let json = LegacyEventRow.json(
                    id: try row.string(0) ?? "", pubkey: try row.string(1) ?? "",
                    createdAt: try row.int64(2) ?? 0, kind: try row.int64(3) ?? 0,
                    tagsJSON: try row.string(4) ?? "[]", content: try row.string(5) ?? "", sig: try row.string(6) ?? "")
                return try emit(json)
            }
        }
    }
}
