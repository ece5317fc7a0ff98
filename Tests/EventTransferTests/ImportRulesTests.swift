import LMDBStore
import NostrCore
import Testing

@testable import EventTransfer

// The store's rules must hold whatever order a file is in and however it is cut into windows
// (each window is one `save` batch, several in flight): the newest replaceable wins, a deletion
// blocks its target even when it comes first.

@Suite("EventImporter: store rules")
struct ImportRulesTests {
    /// Window sizes: the whole file in one batch, one line per batch, and a few lines per batch.
    static let windowSizes = [16_384, 1, 2]

    @Test("importing the same file twice gives only duplicates and changes nothing")
    func importTwice() throws {
        let events = Array(TransferFixtures.corpus.prefix(200))
        try TransferFixtures.withTemporaryDirectory { directory in
            let path = directory + "/events.jsonl"
            try TransferFixtures.writeLines(path, events.map(\.rawJSON))
            try TransferFixtures.withStore { store in
                let first = try TransferFixtures.importFiles([path], into: store)
                #expect(first.imported == events.count)
                let statistics = try store.statistics()
                let stored = try TransferFixtures.storedJSON(store)
                let second = try TransferFixtures.importFiles([path], into: store)
                #expect(second.imported == 0)
                #expect(second.duplicates == events.count)
                #expect(second.olderThanStored == 0 && second.replacedOlder == 0 && second.invalidCount == 0)
                #expect(try store.statistics().eventsByKind == statistics.eventsByKind)
                #expect(try TransferFixtures.storedJSON(store) == stored)
            }
        }
    }

    @Test("a line repeated in the same file is a duplicate", arguments: windowSizes)
    func repeatedLine(windowLines: Int) throws {
        let event = TransferFixtures.event(TransferFixtures.keyPair(7), kind: 1, content: "twice")
        try TransferFixtures.withTemporaryDirectory { directory in
            let path = directory + "/events.jsonl"
            try TransferFixtures.writeLines(path, [event.rawJSON, event.rawJSON, event.rawJSON])
            try TransferFixtures.withStore { store in
                let summary = try TransferFixtures.importFiles(
                    [path], into: store, options: TransferFixtures.options { $0.windowLines = windowLines })
                #expect(summary.imported == 1)
                #expect(summary.duplicates == 2)
                #expect(try store.statistics().totalEvents == 1)
            }
        }
    }

    @Test("versions of a replaceable event in reverse order leave only the newest", arguments: windowSizes)
    func replaceableReverseOrder(windowLines: Int) throws {
        let keys = TransferFixtures.keyPair(8)
        let versions = (1...5).map {
            TransferFixtures.event(keys, kind: .metadata, createdAt: 1_700_000_000 + Int64($0), content: "v\($0)")
        }
        try TransferFixtures.withTemporaryDirectory { directory in
            let path = directory + "/profiles.jsonl"
            try TransferFixtures.writeLines(path, versions.reversed().map(\.rawJSON))
            try TransferFixtures.withStore { store in
                let summary = try TransferFixtures.importFiles(
                    [path], into: store, options: TransferFixtures.options { $0.windowLines = windowLines })
                #expect(summary.imported == 1)
                #expect(summary.olderThanStored == 4)
                #expect(summary.replacedOlder == 0)
                #expect(try TransferFixtures.storedJSON(store) == [versions[4].jsonString])
                let found = try store.queryEvents([Filter(authors: [keys.publicKey], kinds: [.metadata])])
                #expect(found.map(\.id) == [versions[4].id])
            }
        }
    }

    @Test("versions of a replaceable event in order each replace the last", arguments: windowSizes)
    func replaceableInOrder(windowLines: Int) throws {
        let keys = TransferFixtures.keyPair(9)
        let versions = (1...5).map {
            TransferFixtures.event(keys, kind: .followList, createdAt: 1_700_000_000 + Int64($0), content: "v\($0)")
        }
        try TransferFixtures.withTemporaryDirectory { directory in
            let path = directory + "/follows.jsonl"
            try TransferFixtures.writeLines(path, versions.map(\.rawJSON))
            try TransferFixtures.withStore { store in
                let summary = try TransferFixtures.importFiles(
                    [path], into: store, options: TransferFixtures.options { $0.windowLines = windowLines })
                #expect(summary.imported == 5)
                #expect(summary.replacedOlder == 4)
                #expect(summary.olderThanStored == 0)
                #expect(try TransferFixtures.storedJSON(store) == [versions[4].jsonString])
            }
        }
    }

    @Test("a deletion placed before its target still removes it", arguments: windowSizes)
    func deletionBeforeTarget(windowLines: Int) throws {
        let keys = TransferFixtures.keyPair(10)
        let target = TransferFixtures.event(keys, kind: 1, createdAt: 1_700_000_000, content: "regret")
        let kept = TransferFixtures.event(keys, kind: 1, createdAt: 1_700_000_001, content: "keeper")
        let deletion = TransferFixtures.event(
            keys, kind: .deletion, createdAt: 1_700_000_100, tags: [["e", target.id.hex]])
        // Another author cannot delete `kept`.
        let foreignDeletion = TransferFixtures.event(
            TransferFixtures.keyPair(11), kind: .deletion, createdAt: 1_700_000_100, tags: [["e", kept.id.hex]])
        try TransferFixtures.withTemporaryDirectory { directory in
            let path = directory + "/deletions.jsonl"
            try TransferFixtures.writeLines(path, [deletion, foreignDeletion, kept, target].map(\.rawJSON))
            try TransferFixtures.withStore { store in
                let summary = try TransferFixtures.importFiles(
                    [path], into: store, options: TransferFixtures.options { $0.windowLines = windowLines })
                #expect(summary.deleted == 1)
                #expect(summary.imported == 3)
                #expect(try TransferFixtures.storedJSON(store) == jsonSet([deletion, foreignDeletion, kept]))
                #expect(try store.queryEvents([Filter(ids: [target.id])]).isEmpty)
            }
        }
    }

    @Test("a deletion after its target removes it too, and re-importing the target stays blocked")
    func deletionAfterTarget() throws {
        let keys = TransferFixtures.keyPair(12)
        let target = TransferFixtures.event(keys, kind: 1, createdAt: 1_700_000_000, content: "gone")
        let deletion = TransferFixtures.event(
            keys, kind: .deletion, createdAt: 1_700_000_100, tags: [["e", target.id.hex]])
        try TransferFixtures.withTemporaryDirectory { directory in
            let first = directory + "/first.jsonl"
            let second = directory + "/second.jsonl"
            try TransferFixtures.writeLines(first, [target, deletion].map(\.rawJSON))
            try TransferFixtures.writeLines(second, [target.rawJSON])
            try TransferFixtures.withStore { store in
                let summary = try TransferFixtures.importFiles([first], into: store)
                #expect(summary.imported == 2)
                #expect(try TransferFixtures.storedJSON(store) == [deletion.jsonString])
                let again = try TransferFixtures.importFiles([second], into: store)
                #expect(again.deleted == 1)
                #expect(again.imported == 0)
                #expect(try TransferFixtures.storedJSON(store) == [deletion.jsonString])
            }
        }
    }

    @Test("expired and ephemeral events are counted, not stored")
    func expiredAndEphemeral() throws {
        let keys = TransferFixtures.keyPair(13)
        let expired = TransferFixtures.event(
            keys, kind: 1, content: "expired", tags: [["expiration", String(TransferFixtures.now - 10)]])
        let ephemeral = TransferFixtures.event(keys, kind: 20_001, content: "ephemeral")
        let stays = TransferFixtures.event(
            keys, kind: 1, content: "stays", tags: [["expiration", String(TransferFixtures.now + 86_400)]])
        try TransferFixtures.withTemporaryDirectory { directory in
            let path = directory + "/mixed.jsonl"
            try TransferFixtures.writeLines(path, [expired, ephemeral, stays].map(\.rawJSON))
            try TransferFixtures.withStore { store in
                let summary = try TransferFixtures.importFiles([path], into: store)
                #expect(summary.expired == 1)
                #expect(summary.ephemeral == 1)
                #expect(summary.imported == 1)
                #expect(try TransferFixtures.storedJSON(store) == [stays.jsonString])
            }
        }
    }
}
