import LMDBStore
import LMDBStoreTesting
import NostrClient
import NostrCore
import PurplePagesConfiguration
import PurplePagesTestSupport
import RelaySync
import Testing

/// The REQ-paging fallback against our own relay (told to page): pages that end inside a second,
/// a relay that caps `limit` below ours, and a second too crowded for one page.
@Suite("Sync by REQ paging")
struct RequestPagingTests {
    let key = KeyPair.generate()

    @Test func pagingEndingInsideASecondLosesNothing() async throws {
        let local = try TemporaryStore()
        try await withTestRelay { relay, port in
            let all = SyncFixtures.lists(key, 0..<63, perSecond: 5)
            let localOnly = SyncFixtures.lists(key, 100..<103)
            _ = try await relay.store.save(all)
            _ = try await local.store.save(Array(all[0..<20]) + localOnly)
            let summary = try await SyncFixtures.sync(local.store, port: port) {
                $0.forceRequestPaging = true
                $0.pageSize = 7  // pages end in the middle of a second
                $0.direction = .both
            }
            #expect(summary.error == nil)
            #expect(summary.method == .requestPaging)
            #expect(summary.remoteItems == 63 && summary.need == 43 && summary.have == 3)
            #expect(summary.stored == 43 && summary.accepted == 3)
            #expect(summary.crowdedSeconds.isEmpty)
            #expect(try SyncFixtures.ids(local.store) == SyncFixtures.ids(relay.store))
        }
    }

    @Test func aRelayWithoutNegentropyIsPaged() async throws {
        let local = try TemporaryStore()
        try await withTestRelay(configure: { $0.limits.negentropyEnabled = false }) { relay, port in
            let all = SyncFixtures.lists(key, 0..<30)
            _ = try await relay.store.save(all)
            let summary = try await SyncFixtures.sync(local.store, port: port)
            #expect(summary.error == nil)
            #expect(summary.method == .requestPaging)
            #expect(summary.fallbackReason?.hasPrefix("NEG-ERR") == true, "\(summary.fallbackReason ?? "")")
            #expect(summary.stored == 30)
            #expect(try SyncFixtures.ids(local.store) == Set(all.map(\.id)))
        }
    }

    @Test func aRelayCappingTheLimitBelowOursLosesNothing() async throws {
        let local = try TemporaryStore()
        try await withTestRelay(configure: { $0.limits.maxLimit = 5 }) { relay, port in
            let all = SyncFixtures.lists(key, 0..<40, perSecond: 4)
            _ = try await relay.store.save(all)
            let summary = try await SyncFixtures.sync(local.store, port: port) {
                $0.forceRequestPaging = true
                $0.pageSize = 50  // the relay sends 5 a page: short pages do not mean the end
            }
            #expect(summary.error == nil && summary.stored == 40 && summary.crowdedSeconds.isEmpty)
            #expect(try SyncFixtures.ids(local.store) == Set(all.map(\.id)))
        }
    }

    @Test func aSecondWithMoreEventsThanAPageIsReported() async throws {
        let local = try TemporaryStore()
        try await withTestRelay { relay, port in
            let crowded = SyncFixtures.lists(key, 0..<12, perSecond: 100)  // all in one second
            let older = key.event(30000, tags: [["d", "older"]], at: SyncFixtures.base - 1)
            _ = try await relay.store.save(crowded + [older])
            let summary = try await SyncFixtures.sync(local.store, port: port) {
                $0.forceRequestPaging = true
                $0.pageSize = 7
            }
            #expect(summary.error == nil)
            #expect(summary.crowdedSeconds == [SyncFixtures.base])
            #expect(summary.stored == 8)  // one page of that second, and the older event
            #expect(try SyncFixtures.ids(local.store).contains(older.id))
            #expect(summary.lines.contains { $0.contains("may be missing") })
        }
    }
}
