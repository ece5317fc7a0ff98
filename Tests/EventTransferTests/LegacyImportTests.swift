import LMDBStore
import NostrCore
import Testing

@testable import EventTransfer

/// The text PostgreSQL's `jsonb::text` gives for a tags column: `[["p", "abc"], ["e", "def"]]`,
/// with a space after every comma and strings escaped the way `escape_json` does.
func postgresTagsText(_ tags: [[String]]) -> String {
    func quoted(_ value: String) -> String {
        var text = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\u{08}": text += "\\b"
            case "\u{0C}": text += "\\f"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text + "\""
    }
    return "[" + tags.map { "[" + $0.map(quoted).joined(separator: ", ") + "]" }.joined(separator: ", ") + "]"
}

/// A legacy table row of `event`, rendered as the importer receives it.
func legacyRow(_ event: Event) -> [UInt8] {
    LegacyEventRow.json(
        id: event.id.hex, pubkey: event.pubkey.hex, createdAt: event.createdAt, kind: Int64(event.kind.rawValue),
        tagsJSON: postgresTagsText(event.tags.arrays), content: event.content, sig: event.sig.description)
}

@Suite("EventImporter: legacy rows and stopping")
struct LegacyImportTests {
    /// Real signed events with tags that jsonb would print with spaces and escapes.
    static let events: [Event] =
        TransferFixtures.trickyEvents()
        + (0..<5).map { index in
            let keys = TransferFixtures.keyPair(30 + UInt64(index))
            return TransferFixtures.event(
                keys, kind: index == 0 ? .followList : 1, createdAt: 1_700_000_000 + Int64(index),
                content: "row \(index): \"quoted\" \\ 🦄\n",
                tags: [
                    ["p", TransferFixtures.keyPair(99).publicKey.hex, "wss://relay.example", "pet, name"],
                    ["e", String(repeating: "ab", count: 32)], ["t", "with \"quotes\", commas, [brackets]"],
                ])
        }
        + Array(TransferFixtures.corpus.prefix(30))

    @Test("the rendered tags look like jsonb::text")
    func tagsRendering() {
        #expect(postgresTagsText([["p", "abc"], ["e", "d\"e", "x"]]) == #"[["p", "abc"], ["e", "d\"e", "x"]]"#)
        #expect(postgresTagsText([]) == "[]")
        #expect(legacyRow(Self.events[6]).count > Self.events[6].rawJSON.count, "spaces make rows longer")
    }

    @Test("legacy rows of real events import as the events' canonical compact JSON")
    func legacyRows() throws {
        try TransferFixtures.withStore { store in
            let importer = EventImporter(store: store, options: TransferFixtures.options())
            var emitted = 0
            try importer.importLines(from: "legacy") { emit in
                for event in Self.events {
                    emitted += 1
                    guard try emit(legacyRow(event)) else { return }
                }
            }
            let summary = try importer.finish()
            #expect(emitted == Self.events.count)
            #expect(summary.linesRead == Self.events.count)
            #expect(summary.imported == Self.events.count)
            #expect(summary.invalid.isEmpty)
            let stored = try TransferFixtures.storedJSON(store)
            #expect(stored == jsonSet(Self.events))
            for json in stored {
                let event = try Event(json: json)
                #expect(throws: Never.self) { try event.validate() }
                #expect(Array(json.utf8) == event.serializedJSON(), "compact form")
                #expect(Self.events.contains { $0.id == event.id })
            }
        }
    }

    @Test("a legacy row with a mangled column is rejected and logged under the source name")
    func mangledLegacyRow() throws {
        let event = Self.events[6]
        try TransferFixtures.withTemporaryDirectory { directory in
            let logPath = directory + "/errors.jsonl"
            try TransferFixtures.withStore { store in
                let importer = EventImporter(
                    store: store, options: TransferFixtures.options(), errorLog: try ImportErrorLog(path: logPath))
                try importer.importLines(from: "legacy-table") { emit in
                    _ = try emit(legacyRow(Self.events[0]))
                    _ = try emit(
                        LegacyEventRow.json(
                            id: event.id.hex, pubkey: event.pubkey.hex, createdAt: event.createdAt + 1,
                            kind: Int64(event.kind.rawValue), tagsJSON: postgresTagsText(event.tags.arrays),
                            content: event.content, sig: event.sig.description))
                }
                let summary = try importer.finish()
                #expect(summary.imported == 1)
                #expect(summary.invalid == ["invalid: id is computed incorrectly": 1])
                let entries = try ErrorLogEntry.read(logPath)
                #expect(entries.map(\.file) == ["legacy-table"])
                #expect(entries.map(\.line) == [2])
            }
        }
    }

    @Test("stop() before importing makes the import stop early, interrupted")
    func stopBeforeFile() throws {
        try TransferFixtures.withTemporaryDirectory { directory in
            let path = directory + "/events.jsonl"
            try TransferFixtures.writeLines(path, TransferFixtures.corpus.map(\.rawJSON))
            try TransferFixtures.withStore { store in
                let importer = EventImporter(store: store, options: TransferFixtures.options())
                #expect(!importer.isStopped)
                importer.stop()
                #expect(importer.isStopped)
                try importer.importFile(InputFile(path: path))
                let summary = try importer.finish()
                #expect(summary.interrupted)
                #expect(summary.imported < TransferFixtures.corpus.count)
                #expect(try store.statistics().totalEvents == summary.imported)
            }
        }
    }

    @Test("stop() during importLines ends production and keeps every row emitted")
    func stopDuringLines() throws {
        try TransferFixtures.withStore { store in
            let importer = EventImporter(store: store, options: TransferFixtures.options { $0.windowLines = 4 })
            var emitted = 0
            try importer.importLines(from: "legacy") { emit in
                for event in Self.events {
                    if emitted == 10 { importer.stop() }
                    emitted += 1
                    guard try emit(legacyRow(event)) else { return }
                }
            }
            let summary = try importer.finish()
            #expect(summary.interrupted)
            #expect(emitted == 11, "emit answers false once stopped")
            #expect(summary.imported == emitted)
            #expect(try TransferFixtures.storedJSON(store) == jsonSet(Array(Self.events.prefix(emitted))))
        }
    }

    @Test("a summary without a stop is not interrupted")
    func notInterrupted() throws {
        try TransferFixtures.withStore { store in
            let importer = EventImporter(store: store, options: TransferFixtures.options())
            try importer.importLines(from: "nothing") { _ in }
            let summary = try importer.finish()
            #expect(!summary.interrupted)
            #expect(summary.linesRead == 0 && summary.imported == 0)
        }
    }
}
