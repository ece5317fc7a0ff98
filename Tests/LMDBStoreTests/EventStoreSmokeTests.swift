import LMDBStore
import LMDBStoreTesting
import NostrCore
import NostrCoreTesting
import Testing

@Suite("Event store basics")
struct EventStoreSmokeTests {
    @Test func storesQueriesAndCounts() async throws {
        let temporary = try TemporaryStore()
        let store = temporary.store
        let corpus = CorpusGenerator(pubkeys: 30, seed: 3)
        let events = corpus.allEvents()
        let outcomes = try await store.save(events)
        #expect(outcomes.allSatisfy { $0 == .stored })
        #expect(try await store.save(events[0]) == .duplicate)

        let follows = try store.queryEvents([Filter(kinds: [.followList])], limit: 1000)
        #expect(follows.count == 30)
        #expect(follows == follows.sorted { ($0.createdAt, $1.id) > ($1.createdAt, $0.id) })

        let target = corpus.keyPairs[0].publicKey
        let followers = events.filter {
            $0.kind == .followList
                && $0.tags.contains { $0.hasSingleLetterName(UInt8(ascii: "p")) && $0.value == target.hex }
        }
        let filter = Filter(kinds: [.followList], tags: [TagCondition("p", [target.hex])], limit: 500)
        #expect(Set(try store.queryEvents([filter]).map(\.id)) == Set(followers.map(\.id)))
        #expect(try store.count([filter]) == EventCount(count: followers.count, approximate: false))

        let stats = try store.statistics()
        #expect(stats.totalEvents == events.count)
        #expect(stats.eventsByKind[.metadata] == 30)
    }
}
