import Foundation
import LMDBStore
import NostrCore
import NostrCoreTesting
import PGAnalytics
import PurplePagesTestSupport
import Testing

/// The migration runbook end to end, with a real PostgreSQL: a legacy eventstore `event` table,
/// the runbook's exact `psql ... COPY ... TO STDOUT` export, and `purplepages-import` run as a
/// process on its output, or on the table itself with `--from-postgres`.
@Suite("Migration from the legacy PostgreSQL event table")
struct LegacyMigrationTests {
    /// The runbook's export command, word for word (LMDB-MIGRATION.md, step 2).
    static let runbookExport = """
        COPY (SELECT json_build_object(
          'id', id,
          'pubkey', pubkey,
          'created_at', created_at,
          'kind', kind,
          'tags', tags::json,
          'content', content,
          'sig', sig
        ) FROM event) TO STDOUT
        """

    @Test func theRunbooksCopyExportImportsByteIdentical() async throws {
        let fixture = try LegacyFixture()
        defer { fixture.drop() }
        let directory = try TemporaryDirectory(prefix: "purplepages-import")
        let exportPath = directory.path + "/events-export.jsonl"
        let psql = try await ExternalCommand.onPath("psql").run(
            [fixture.schema.url, "-c", Self.runbookExport], outputPath: exportPath)
        #expect(psql.status == 0, "psql failed: \(psql.errors)")
        let lines = try String(contentsOfFile: exportPath, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == fixture.events.count)
        // COPY doubled the backslashes: read as plain JSONL, these lines would be corrupt.
        #expect(lines.contains { $0.contains(#"\\""#) })

        let result = try await ExternalCommand.built("purplepages-import").run([
            "--config", try directory.config(), exportPath,
        ])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.contains("invalid             0"), "\(result.output)")
        try fixture.expectStored(in: directory.path + "/store")
    }

    @Test func fromPostgresReadsTheTableDirectly() async throws {
        let fixture = try LegacyFixture()
        defer { fixture.drop() }
        let directory = try TemporaryDirectory(prefix: "purplepages-import")
        let result = try await ExternalCommand.built("purplepages-import").run([
            "--config", try directory.config(), "--from-postgres", fixture.schema.url,
        ])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.contains("lines read          \(fixture.events.count)"), "\(result.output)")
        try fixture.expectStored(in: directory.path + "/store")
        // Running it again changes nothing.
        let again = try await ExternalCommand.built("purplepages-import").run([
            "--config", try directory.config(), "--from-postgres", fixture.schema.url,
        ])
        #expect(again.status == 0, "\(again.errors)")
        #expect(again.output.contains("imported            0"), "\(again.output)")
        try fixture.expectStored(in: directory.path + "/store")
    }
}

/// Signed events with every awkward content in a legacy-schema `event` table of their own schema.
struct LegacyFixture {
    /// The schema holding the table.
    let schema: TestSchema
    let events: [Event]
    /// What the store must hold afterwards: every event but the older versions of a replaceable.
    let expected: Set<String>

    static let awkwardContents = [
        #"back\slash, two \\ and a quote-escape \" in the text"#,
        "line one\nline two\r\nand a tab\there",
        "non-BMP 🦄 and 🏳️‍🌈, accents é, CJK 漢字",
        #"{"name":"profile \"quoted\"","about":"C:\\Users\\x"}"#,
        "\\N", "\\.", "", "control \u{01} and \u{7F}", "tab\tthen backslash\\n literal",
    ]

    init() throws {
        schema = try TestSchema(prefix: "legacy")
        let connection = schema.admin
        try connection.execute(
            """
            CREATE TABLE \(schema.name).event (
                id text NOT NULL, pubkey text NOT NULL, created_at integer NOT NULL, kind integer NOT NULL,
                tags jsonb NOT NULL, content text NOT NULL, sig text NOT NULL)
            """)
        try connection.execute("CREATE UNIQUE INDEX ON \(schema.name).event (id)")
        let now = Int64(Date().timeIntervalSince1970)
        var events: [Event] = []
        for (index, content) in Self.awkwardContents.enumerated() {
            let author = KeyPair.generate()
            let tags = [["t", "tag \\ with \"quote\""], ["p", author.publicKey.hex], ["d", "x\ty\nz"]]
            events.append(author.sign(kind: 30000, tags: tags, content: content, createdAt: now - 1000 + Int64(index)))
            events.append(author.sign(kind: .metadata, tags: [], content: content, createdAt: now - 500))
        }
        // Three versions of one profile: only the newest may remain, whatever the table's order.
        let changing = KeyPair.generate()
        let versions = (0..<3).map {
            changing.sign(kind: .metadata, tags: [], content: #"{"name":"v\#($0)"}"#, createdAt: now - 300 + Int64($0))
        }
        events += versions.reversed()
        self.events = events
        expected = Set(events.filter { $0.id != versions[0].id && $0.id != versions[1].id }.map(\.jsonString))
        for event in events {
            try connection.execute(
                "INSERT INTO \(schema.name).event (id, pubkey, created_at, kind, tags, content, sig)"
                    + " VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)",
                [
                    .string(event.id.hex), .string(event.pubkey.hex), .int64(event.createdAt),
                    .int64(Int64(event.kind.rawValue)), .string(event.tags.jsonString), .string(event.content),
                    .string(event.sig.hex),
                ])
        }
    }

    /// The store at `path` holds exactly `expected`, byte for byte, each event valid.
    func expectStored(in path: String) throws {
        let store = try EventStore(configuration: .init(path: path, readOnly: true))
        defer { store.close() }
        var stored: Set<String> = []
        try store.scanAll { event in
            let json = String(decoding: event.json, as: UTF8.self)
            stored.insert(json)
            #expect((try? Event(json: json).validate()) != nil, "stored event does not verify: \(json)")
            return true
        }
        #expect(stored == expected, "missing: \(expected.subtracting(stored)), extra: \(stored.subtracting(expected))")
    }

    func drop() {
        schema.drop()
    }
}
