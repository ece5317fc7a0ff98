import Foundation
import LMDB
import LMDBStore
import LMDBStoreTesting
import NostrCore
import NostrCoreTesting
import Testing

@Suite("Event store lifecycle, limits and scans")
struct StoreLifecycleTests {
    private static let corpus = CorpusGenerator(pubkeys: 25, seed: 11)

    @Test func refusesAStoreOfAnotherSchemaVersion() throws {
        let temporary = try TemporaryStore()
        temporary.store.close()
        // Rewrite the version key as a future build would.
        let environment = try Environment(path: temporary.path)
        let info = try environment.openDatabase("info", flags: [])
        try environment.write { txn in
            try txn.put(
                info, key: Array("schema-version".utf8), value: withUnsafeBytes(of: UInt32(99).bigEndian) { Array($0) })
        }
        let error = try #require(throws: StoreError.self) { _ = try temporary.reopen() }
        #expect(error == .schemaMismatch(path: temporary.path, found: 99, expected: 3))
        #expect(error.description.contains("99") && error.description.contains("version 3"))
    }

    @Test func readOnlyOpenOfAMissingStoreSaysSo() throws {
        let path = NSTemporaryDirectory() + "purplepages-missing-\(UUID().uuidString)"
        let error = try #require(throws: StoreError.self) {
            _ = try EventStore(configuration: .init(path: path, readOnly: true))
        }
        #expect(error == .missing(path: path))
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func readOnlyStoreRefusesWrites() async throws {
        let temporary = try TemporaryStore()
        let reader = try temporary.reopen { $0.readOnly = true }
        await #expect(throws: StoreError.readOnly) { _ = try await reader.save(Self.corpus.events(forPubkey: 0)) }
    }

    @Test func defaultAndMaximumLimitsApply() async throws {
        let temporary = try TemporaryStore {
            $0.defaultLimit = 7
            $0.maxLimit = 20
        }
        _ = try await temporary.store.save(Self.corpus.allEvents())
        #expect(try temporary.store.queryEvents([Filter()]).count == 7)
        #expect(try temporary.store.queryEvents([Filter(limit: 15)]).count == 15)
        #expect(try temporary.store.queryEvents([Filter(limit: 500)]).count == 20)
        #expect(try temporary.store.queryEvents([Filter(limit: 0)]).isEmpty)
        // The total cap applies across filters.
        #expect(
            try temporary.store.queryEvents([Filter(kinds: [0], limit: 10), Filter(kinds: [3], limit: 10)], limit: 12)
                .count == 12)
    }

    @Test func negentropyItemsAreAscendingAndComplete() async throws {
        let temporary = try TemporaryStore()
        let events = Self.corpus.allEvents()
        _ = try await temporary.store.save(events)
        let follows = events.filter { $0.kind == .followList }
        let items = try temporary.store.negentropyItems(Filter(kinds: [.followList], limit: 3))
        #expect(items.count == follows.count)  // negentropy ignores the limit
        #expect(items.map(\.id) == follows.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }.map(\.id))
        let capped = try TemporaryStore { $0.maxScanEvents = 5 }
        _ = try await capped.store.save(events)
        #expect(throws: StoreError.tooManyResults(limit: 5)) { _ = try capped.store.negentropyItems(Filter()) }
        // A smaller limit of the caller's own wins; a larger one is held to maxScanEvents.
        #expect(throws: StoreError.tooManyResults(limit: 2)) {
            _ = try temporary.store.negentropyItems(Filter(kinds: [.followList]), limit: 2)
        }
        #expect(throws: StoreError.tooManyResults(limit: 5)) { _ = try capped.store.negentropyItems(Filter(), limit: 50) }
    }

    @Test func scanAllAndStatisticsAgree() async throws {
        let temporary = try TemporaryStore()
        let events = Self.corpus.allEvents()
        _ = try await temporary.store.save(events)
        var scanned: [EventID] = []
        try temporary.store.scanAll { stored in
            scanned.append(try Event(json: Array(stored.json)).id)
            return true
        }
        #expect(Set(scanned) == Set(events.map(\.id)))
        #expect(scanned == events.map(\.id))  // insertion order
        let statistics = try temporary.store.statistics()
        #expect(statistics.totalEvents == events.count)
        #expect(statistics.sizeBytes > 0)
        #expect(try temporary.store.count([Filter()]) == EventCount(count: events.count, approximate: false))
        var first: EventID?
        try temporary.store.scanAll { stored in
            first = try Event(json: Array(stored.json)).id
            return false
        }
        #expect(first == events[0].id)
    }

    @Test func storedJSONIsCompactEvenWhenTheInputWasNot() async throws {
        let temporary = try TemporaryStore()
        let event = Self.corpus.events(forPubkey: 1)[0]
        let spaced =
            "{ \"extra\": [1, 2], "
            + String(decoding: event.rawJSON.dropFirst(), as: UTF8.self)
            .replacingOccurrences(of: "\",\"", with: "\" , \"")
        let parsed = try Event(json: spaced)
        #expect(try await temporary.store.save(parsed) == .stored)
        let stored = try temporary.store.queryJSON([Filter(ids: [event.id])])
        #expect(stored == [event.serializedJSON()])
        // An already compact event is stored byte for byte as received.
        let other = Self.corpus.events(forPubkey: 2)[0]
        _ = try await temporary.store.save(other)
        #expect(try temporary.store.queryJSON([Filter(ids: [other.id])]) == [other.rawJSON])
    }
}
