import Foundation
import LMDBStore
import NostrCore
import Testing

@testable import EventTransfer

@Suite("EventExporter")
struct ExportTests {
    /// The corpus plus events whose JSON stresses escaping.
    static let events = TransferFixtures.corpus + TransferFixtures.trickyEvents()

    @Test(
        "an export imports into a fresh store as the same set of events",
        arguments: ["events.jsonl", "events.jsonl.gz"])
    func roundTrip(name: String) throws {
        try TransferFixtures.withTemporaryDirectory { directory in
            let path = directory + "/" + name
            try TransferFixtures.withStore { source in
                _ = try source.saveAndWait(Self.events)
                var reported: [Int] = []
                let written = try EventExporter.export(source, to: OutputFile(path: path)) { reported.append($0) }
                #expect(written == Self.events.count)
                #expect(reported.last == written)
                let exported = try TransferFixtures.readLines(path)
                #expect(exported.count == Self.events.count)
                // Oldest stored first: the order they were saved in.
                #expect(exported == Self.events.map(\.jsonString))
                try TransferFixtures.withStore { destination in
                    let summary = try TransferFixtures.importFiles([path], into: destination)
                    #expect(summary.imported == Self.events.count)
                    #expect(summary.invalidCount == 0)
                    #expect(try TransferFixtures.storedJSON(destination) == TransferFixtures.storedJSON(source))
                    #expect(try destination.statistics().eventsByKind == source.statistics().eventsByKind)
                }
            }
            let input = try InputFile(path: path)
            #expect(try input.read { _ in })
            #expect(input.isGzip == name.hasSuffix(".gz"))
        }
    }

    @Test("a filter exports only the events it matches")
    func filter() throws {
        let filter = try Filter(json: #"{"kinds":[0]}"#)
        let profiles = Self.events.filter { $0.kind == .metadata }
        #expect(!profiles.isEmpty && profiles.count < Self.events.count)
        try TransferFixtures.withTemporaryDirectory { directory in
            let path = directory + "/profiles.jsonl"
            try TransferFixtures.withStore { store in
                _ = try store.saveAndWait(Self.events)
                let written = try EventExporter.export(store, filter: filter, to: OutputFile(path: path))
                #expect(written == profiles.count)
                #expect(Set(try TransferFixtures.readLines(path)) == jsonSet(profiles))
            }
        }
    }

    @Test("a filter's limit caps the count", arguments: [1, 10, 499])
    func limit(_ limit: Int) throws {
        try TransferFixtures.withTemporaryDirectory { directory in
            let path = directory + "/limited.jsonl"
            try TransferFixtures.withStore { store in
                _ = try store.saveAndWait(Self.events)
                let written = try EventExporter.export(
                    store, filter: Filter(json: #"{"limit":\#(limit)}"#), to: OutputFile(path: path))
                #expect(written == limit)
                let lines = try TransferFixtures.readLines(path)
                #expect(lines.count == limit)
                #expect(Set(lines).isSubset(of: jsonSet(Self.events)))
            }
        }
    }

    @Test("kinds and limit together: at most limit events, all of the kind")
    func kindsAndLimit() throws {
        try TransferFixtures.withTemporaryDirectory { directory in
            let path = directory + "/some-profiles.jsonl.gz"
            try TransferFixtures.withStore { store in
                _ = try store.saveAndWait(Self.events)
                let written = try EventExporter.export(
                    store, filter: Filter(json: #"{"kinds":[0],"limit":5}"#), to: OutputFile(path: path))
                #expect(written == 5)
                let lines = try TransferFixtures.readLines(path)
                #expect(lines.count == 5)
                #expect(try lines.allSatisfy { try Event(json: $0).kind == .metadata })
            }
        }
    }

    @Test("a limit of 0 exports nothing and leaves a valid empty file", arguments: ["none.jsonl", "none.jsonl.gz"])
    func limitZero(name: String) throws {
        try TransferFixtures.withTemporaryDirectory { directory in
            let path = directory + "/" + name
            try TransferFixtures.withStore { store in
                _ = try store.saveAndWait(Self.events)
                let written = try EventExporter.export(
                    store, filter: Filter(json: #"{"limit":0}"#), to: OutputFile(path: path))
                #expect(written == 0)
                #expect(try TransferFixtures.readAll(path).isEmpty)
                if name.hasSuffix(".gz") {
                    // `zcat` refuses a zero-byte file: an empty export must still be one gzip member.
                    let raw = try #require(FileManager.default.contents(atPath: path))
                    #expect(raw.starts(with: [0x1F, 0x8B]), "\(raw.count) bytes, not a gzip stream")
                }
            }
        }
    }

    @Test("an empty store exports an empty file")
    func emptyStore() throws {
        try TransferFixtures.withTemporaryDirectory { directory in
            let path = directory + "/empty.jsonl.gz"
            try TransferFixtures.withStore { store in
                let written = try EventExporter.export(store, to: OutputFile(path: path))
                #expect(written == 0)
                #expect(try TransferFixtures.readAll(path).isEmpty)
                let raw = try #require(FileManager.default.contents(atPath: path))
                #expect(raw.starts(with: [0x1F, 0x8B]), "one empty gzip member")
            }
        }
    }
}
