import Foundation
import LMDBStore
import LMDBStoreTesting
import NostrCore
import NostrCoreTesting
import Testing

/// `EventStore.writeCompactedCopy(to:)`: the compacting copy behind `purplepages compact`.
@Suite("Event store compacted copy")
struct CompactedCopyTests {
    @Test func copyOfALiveStoreOpensAndHoldsEveryCommittedEvent() async throws {
        // The store's clock is before the notes' expiration, so they are accepted.
        let temporary = try TemporaryStore { $0.clock = { CorpusGenerator.baseTimestamp } }
        let (kept, expiring) = Self.notes(count: 600)
        _ = try await temporary.store.save(kept + expiring)
        // Purging half the events leaves free pages in the source, which the copy leaves out.
        #expect(try await temporary.store.purgeExpired(now: CorpusGenerator.baseTimestamp + 10_000) == expiring.count)

        // Copy through a read-only handle, as `purplepages compact` does beside a running relay,
        // while the writer keeps committing.
        let reader = try temporary.reopen {
            $0.readOnly = true
            $0.clock = { CorpusGenerator.baseTimestamp }
        }
        let later = Self.notes(count: 200, seed: 9).kept
        let writes = Task { for event in later { _ = try await temporary.store.save(event) } }
        let copyPath = temporary.path + "-copy"
        defer { try? FileManager.default.removeItem(atPath: copyPath) }
        try reader.writeCompactedCopy(to: copyPath)
        try await writes.value

        let copy = try EventStore(configuration: EventStoreConfiguration(path: copyPath, mapSizeGB: 1))
        defer { copy.close() }
        let copied = try Self.ids(in: copy)
        let committedBefore = Set(kept.map(\.id.hex))
        #expect(committedBefore.isSubset(of: copied), "\(committedBefore.subtracting(copied).count) events missing")
        #expect(copied.isSubset(of: committedBefore.union(later.map(\.id.hex))))
        #expect(try copy.statistics().totalEvents == copied.count)
        #expect(try Self.fileSize(copyPath) < Self.fileSize(temporary.path))
        // The copy is a store of its own: it takes writes.
        #expect(try copy.saveAndWait(Self.notes(count: 2, seed: 13).kept) == [.stored])
    }

    @Test func refusesADirectoryThatAlreadyHoldsAStore() throws {
        let temporary = try TemporaryStore()
        let other = try TemporaryStore()
        #expect(throws: StoreError.copyTargetExists(path: other.path)) {
            try temporary.store.writeCompactedCopy(to: other.path)
        }
    }

    /// `count` signed notes: the first half without expiration, the second half expiring soon
    /// after `CorpusGenerator.baseTimestamp`.
    private static func notes(count: Int, seed: UInt64 = 5) -> (kept: [Event], expiring: [Event]) {
        let events = signedNotes(seed: seed, count: count, content: String(repeating: "x", count: 400)) { index in
            index >= count / 2 ? [["expiration", String(CorpusGenerator.baseTimestamp + 100)]] : []
        }
        return (Array(events[..<(count / 2)]), Array(events[(count / 2)...]))
    }

    private static func ids(in store: EventStore) throws -> Set<String> {
        var ids = Set<String>()
        try store.scanAll { stored in
            let event = try Event(json: Array(stored.json))
            ids.insert(event.id.hex)
            return true
        }
        return ids
    }

    private static func fileSize(_ directory: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/data.mdb")
        return (attributes[.size] as? NSNumber)?.intValue ?? 0
    }
}
