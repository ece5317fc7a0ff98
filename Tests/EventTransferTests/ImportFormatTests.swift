import LMDBStore
import NostrCore
import Testing

@testable import EventTransfer

/// The JSON strings of `events`, as the store should hold them.
func jsonSet(_ events: [Event]) -> Set<String> { Set(events.map(\.jsonString)) }

/// How many of `events` have each kind.
func countsByKind(_ events: [Event]) -> [Kind: Int] {
    events.reduce(into: [:]) { counts, event in counts[event.kind, default: 0] += 1 }
}

@Suite("EventImporter: formats")
struct ImportFormatTests {
    @Test("a JSONL file of 500 events imports every one, byte for byte")
    func jsonl() throws {
        let events = TransferFixtures.corpus
        #expect(events.count == 500)
        try TransferFixtures.withTemporaryDirectory { directory in
            let path = directory + "/events.jsonl"
            try TransferFixtures.writeLines(path, events.map(\.rawJSON))
            try TransferFixtures.withStore { store in
                let summary = try TransferFixtures.importFiles([path], into: store)
                #expect(summary.imported == events.count)
                #expect(summary.linesRead == events.count)
                #expect(summary.invalidCount == 0 && summary.duplicates == 0 && summary.olderThanStored == 0)
                #expect(summary.bytesRead == Int64(events.reduce(0) { $0 + $1.rawJSON.count + 1 }))
                #expect(!summary.interrupted)
                let statistics = try store.statistics()
                #expect(statistics.totalEvents == events.count)
                #expect(statistics.eventsByKind == countsByKind(events))
                #expect(try TransferFixtures.storedJSON(store) == jsonSet(events))
                // A query hands back the same bytes as a scan.
                let profiles = try store.queryJSON([Filter(kinds: [.metadata])])
                #expect(
                    Set(profiles.map { String(decoding: $0, as: UTF8.self) }) == jsonSet(events.filter { $0.kind == 0 })
                )
            }
        }
    }

    @Test("a gzip-compressed JSONL file imports the same")
    func gzip() throws {
        let events = TransferFixtures.corpus
        try TransferFixtures.withTemporaryDirectory { directory in
            let path = directory + "/events.jsonl.gz"
            try TransferFixtures.writeLines(path, events.map(\.rawJSON))
            let input = try InputFile(path: path)
            #expect(try input.read { _ in })
            #expect(input.isGzip)
            try TransferFixtures.withStore { store in
                let summary = try TransferFixtures.importFiles([path], into: store)
                #expect(summary.imported == events.count)
                #expect(summary.invalidCount == 0)
                #expect(try TransferFixtures.storedJSON(store) == jsonSet(events))
            }
        }
    }

    @Test("a COPY-escaped file with tricky contents imports exactly", arguments: [InputFormat.auto, .copy])
    func copy(format: InputFormat) throws {
        // Plain lines first, so auto-detection has to wait for a deciding line.
        let plain = (0..<3).map {
            TransferFixtures.event(TransferFixtures.keyPair(50 + UInt64($0)), kind: 1, content: "plain \($0)")
        }
        let events = plain + TransferFixtures.trickyEvents() + Array(TransferFixtures.corpus.prefix(40))
        try TransferFixtures.withTemporaryDirectory { directory in
            let path = directory + "/events.copy"
            try TransferFixtures.writeLines(path, events.map { TransferFixtures.copyEscaped($0.rawJSON) })
            try TransferFixtures.withStore { store in
                let summary = try TransferFixtures.importFiles(
                    [path], into: store, options: TransferFixtures.options { $0.format = format })
                #expect(summary.imported == events.count)
                #expect(summary.invalid.isEmpty)
                #expect(try TransferFixtures.storedJSON(store) == jsonSet(events))
            }
        }
    }

    @Test("COPY's end-of-data marker ends the file", arguments: [InputFormat.auto, .copy])
    func copyEndMarker(format: InputFormat) throws {
        let before = TransferFixtures.trickyEvents()
        let after = TransferFixtures.event(TransferFixtures.keyPair(60), kind: 1, content: #"after \. the end"#)
        var lines = before.map { TransferFixtures.copyEscaped($0.rawJSON) }
        lines.append(CopyText.endMarker)
        lines.append(TransferFixtures.copyEscaped(after.rawJSON))
        try TransferFixtures.withTemporaryDirectory { directory in
            let path = directory + "/events.copy"
            try TransferFixtures.writeLines(path, lines)
            try TransferFixtures.withStore { store in
                let summary = try TransferFixtures.importFiles(
                    [path], into: store, options: TransferFixtures.options { $0.format = format })
                #expect(summary.imported == before.count)
                #expect(summary.invalid.isEmpty)
                #expect(try TransferFixtures.storedJSON(store) == jsonSet(before))
            }
        }
    }

    @Test("CRLF line endings, no final newline and blank lines are handled")
    func lineEndings() throws {
        let events = Array(TransferFixtures.corpus.prefix(5))
        var bytes: [UInt8] = Array("\r\n   \r\n".utf8)
        for (index, event) in events.enumerated() {
            bytes += event.rawJSON
            if index < events.count - 1 { bytes += Array("\r\n\n".utf8) }
        }
        try TransferFixtures.withTemporaryDirectory { directory in
            let path = directory + "/crlf.jsonl"
            try TransferFixtures.writeFile(path, bytes)
            try TransferFixtures.withStore { store in
                let summary = try TransferFixtures.importFiles([path], into: store)
                #expect(summary.imported == events.count)
                #expect(summary.blankLines == 2 + events.count - 1)
                #expect(summary.linesRead == summary.blankLines + events.count)
                #expect(summary.invalid.isEmpty)
                #expect(try TransferFixtures.storedJSON(store) == jsonSet(events))
            }
        }
    }

    @Test("several files, gzip and plain, in one import add up")
    func severalFiles() throws {
        let events = TransferFixtures.corpus
        try TransferFixtures.withTemporaryDirectory { directory in
            let paths = [directory + "/a.jsonl", directory + "/b.jsonl.gz", directory + "/c.copy"]
            try TransferFixtures.writeLines(paths[0], events[0..<200].map(\.rawJSON))
            try TransferFixtures.writeLines(paths[1], events[200..<400].map(\.rawJSON))
            try TransferFixtures.writeLines(paths[2], events[400...].map { TransferFixtures.copyEscaped($0.rawJSON) })
            try TransferFixtures.withStore { store in
                let summary = try TransferFixtures.importFiles(
                    paths, into: store, options: TransferFixtures.options { $0.windowLines = 64 })
                #expect(summary.imported == events.count)
                #expect(summary.linesRead == events.count)
                #expect(try TransferFixtures.storedJSON(store) == jsonSet(events))
            }
        }
    }
}
