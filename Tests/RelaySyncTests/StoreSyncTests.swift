import LMDBStore
import LMDBStoreTesting
import NostrClient
import NostrCore
import PurplePagesConfiguration
import PurplePagesTestSupport
import RelaySync
import Testing

/// `StoreSynchronizer` between a local store and our own relay over a real WebSocket: both
/// directions, the store's rules on either side, and remotes that misbehave.
@Suite("Sync between two stores")
struct StoreSyncTests {
    let key = KeyPair.generate()

    /// 200 lists on both sides, 37 only on the relay, 23 only locally; ten share each second.
    func populate(
        local: EventStore, remote: EventStore
    ) async throws -> (common: [Event], remote: [Event], local: [Event]) {
        let all = SyncFixtures.lists(key, 0..<260)
        let common = Array(all[0..<200])
        let remoteOnly = Array(all[200..<237])
        let localOnly = Array(all[237..<260])
        _ = try await local.save(common + localOnly)
        _ = try await remote.save(common + remoteOnly)
        return (common, remoteOnly, localOnly)
    }

    @Test(arguments: SyncDirection.allCases)
    func negentropyMovesExactlyTheDifference(direction: SyncDirection) async throws {
        let local = try TemporaryStore()
        try await withTestRelay { relay, port in
            let sets = try await populate(local: local.store, remote: relay.store)
            let localBefore = try SyncFixtures.ids(local.store)
            let remoteBefore = try SyncFixtures.ids(relay.store)
            let summary = try await SyncFixtures.sync(local.store, port: port) {
                $0.direction = direction
                $0.frameSizeLimit = 4096  // several rounds
            }
            #expect(summary.error == nil)
            #expect(summary.method == .negentropy)
            #expect(summary.need == sets.remote.count)
            #expect(summary.have == sets.local.count)
            let remoteOnly = Set(sets.remote.map(\.id))
            let localOnly = Set(sets.local.map(\.id))
            #expect(
                try SyncFixtures.ids(local.store) == (direction.downloads ? localBefore.union(remoteOnly) : localBefore)
            )
            #expect(
                try SyncFixtures.ids(relay.store) == (direction.uploads ? remoteBefore.union(localOnly) : remoteBefore))
            #expect(summary.stored == (direction.downloads ? sets.remote.count : 0))
            #expect(summary.accepted == (direction.uploads ? sets.local.count : 0))
            #expect(summary.sent == (direction.uploads ? sets.local.count : 0))
            #expect(summary.refused.isEmpty && summary.rejected.isEmpty && summary.missing == 0)
            #expect(summary.bytesSent > 0 && summary.bytesReceived > 0)
        }
    }

    @Test func aSecondSyncFindsNothingToMove() async throws {
        let local = try TemporaryStore()
        try await withTestRelay { relay, port in
            _ = try await populate(local: local.store, remote: relay.store)
            _ = try await SyncFixtures.sync(local.store, port: port) { $0.direction = .both }
            let again = try await SyncFixtures.sync(local.store, port: port) { $0.direction = .both }
            #expect(again.error == nil && again.need == 0 && again.have == 0 && again.received == 0 && again.sent == 0)
            #expect(try SyncFixtures.ids(local.store) == SyncFixtures.ids(relay.store))
        }
    }

    @Test func aRelayCappingTheLimitIsAskedAgainForTheRest() async throws {
        let local = try TemporaryStore()
        try await withTestRelay(configure: { $0.limits.maxLimit = 5 }) { relay, port in
            let theirs = SyncFixtures.lists(key, 0..<42)
            _ = try await relay.store.save(theirs)
            let summary = try await SyncFixtures.sync(local.store, port: port)  // 500 ids to a REQ
            #expect(summary.error == nil && summary.stored == 42 && summary.missing == 0)
            #expect(try SyncFixtures.ids(local.store) == Set(theirs.map(\.id)))
        }
    }

    @Test func dryRunMovesNothing() async throws {
        let local = try TemporaryStore()
        try await withTestRelay { relay, port in
            let sets = try await populate(local: local.store, remote: relay.store)
            let localBefore = try SyncFixtures.ids(local.store)
            let remoteBefore = try SyncFixtures.ids(relay.store)
            let summary = try await SyncFixtures.sync(local.store, port: port) {
                $0.direction = .both
                $0.dryRun = true
            }
            #expect(summary.error == nil && summary.need == sets.remote.count && summary.have == sets.local.count)
            #expect(summary.received == 0 && summary.sent == 0)
            #expect(try SyncFixtures.ids(local.store) == localBefore)
            #expect(try SyncFixtures.ids(relay.store) == remoteBefore)
        }
    }

    @Test func theFilterBoundsWhatMoves() async throws {
        let local = try TemporaryStore()
        try await withTestRelay { relay, port in
            let other = KeyPair.generate()
            let mine = SyncFixtures.lists(key, 0..<20)
            let theirs = SyncFixtures.lists(other, 0..<20)
            _ = try await relay.store.save(mine + theirs)
            let summary = try await SyncFixtures.sync(local.store, port: port) {
                $0.filter = Filter(authors: [key.publicKey])
            }
            #expect(summary.error == nil && summary.need == 20)
            #expect(try SyncFixtures.ids(local.store) == Set(mine.map(\.id)))
        }
    }

    @Test func replaceableVersionsAndDeletionsFollowTheStoreRules() async throws {
        let local = try TemporaryStore()
        let (alice, bob, carol) = (KeyPair.generate(), KeyPair.generate(), KeyPair.generate())
        let t = SyncFixtures.base
        let aliceOld = alice.event(0, content: "alice old", at: t)
        let aliceNew = alice.event(0, content: "alice new", at: t + 10)
        let bobOld = bob.event(0, content: "bob old", at: t)
        let bobNew = bob.event(0, content: "bob new", at: t + 10)
        let carolList = carol.event(30000, tags: [["d", "x"]], at: t)
        let carolDeletion = carol.event(5, tags: [["e", carolList.id.hex]], at: t + 5)
        try await withTestRelay { relay, port in
            _ = try await local.store.save([aliceOld, bobNew, carolDeletion])
            _ = try await relay.store.save([aliceNew, bobOld, carolList])
            let summary = try await SyncFixtures.sync(local.store, port: port) { $0.direction = .both }
            #expect(summary.error == nil)
            #expect(summary.saved[.replaced] == 1)  // alice's newer profile replaced the older one
            #expect(summary.saved[.rejectedOlder] == 1)  // bob's older profile was not taken
            #expect(summary.saved[.deleted] == 1)  // carol deleted her list
            let expected: Set<EventID> = [aliceNew.id, bobNew.id, carolDeletion.id]
            #expect(try SyncFixtures.ids(local.store) == expected)
            // Uploaded: bob's newer profile replaced the relay's, carol's deletion removed her list.
            #expect(try SyncFixtures.ids(relay.store) == expected)
        }
    }

    @Test func invalidEventsFromTheRemoteAreNeverStored() async throws {
        let local = try TemporaryStore()
        try await withTestRelay { relay, port in
            let good = SyncFixtures.lists(key, 0..<10)
            let forged = SyncFixtures.forged(
                key.event(30000, tags: [["d", "forged"]], at: SyncFixtures.base), signatureOf: good[0])
            // Straight into the relay's store: the relay itself would refuse it.
            _ = try await relay.store.save(good + [forged])
            let summary = try await SyncFixtures.sync(local.store, port: port)
            #expect(summary.error == nil)
            #expect(summary.need == 11 && summary.stored == 10)
            #expect(summary.refused.count == 1)
            #expect(summary.refused.keys.first?.hasPrefix("invalid:") == true)
            #expect(summary.missing == 0)
            #expect(try SyncFixtures.ids(local.store) == Set(good.map(\.id)))
        }
    }

    @Test func eventsOfKindsTheRelayRefusesAreNotStored() async throws {
        let local = try TemporaryStore()
        try await withTestRelay(configure: { $0.allowedKinds = .all }) { relay, port in
            let note = key.event(1, content: "a note")
            let list = key.event(30000, tags: [["d", "a"]])
            _ = try await relay.store.save([note, list])
            var client = RelayClientConfiguration()
            let policy = EventPolicy(RelayConfiguration())  // the local relay keeps its default kinds
            client.eventCheck = { policy.rejection(of: $0, now: unixNow) }
            let summary = try await SyncFixtures.sync(local.store, port: port, client: client)
            #expect(summary.error == nil && summary.stored == 1)
            #expect(summary.refused == ["blocked: kind 1 is not allowed": 1])
            #expect(try SyncFixtures.ids(local.store) == [list.id])
        }
    }

    @Test func protectedEventsGoUpOnlyWhenTheClientAuthenticatesAsTheirAuthor() async throws {
        let local = try TemporaryStore()
        let protected = key.event(30000, tags: [["d", "mine"], ["-"]])
        _ = try await local.store.save(protected)
        try await withTestRelay { relay, port in
            let anonymous = try await SyncFixtures.sync(local.store, port: port) { $0.direction = .up }
            #expect(anonymous.error == nil && anonymous.sent == 1 && anonymous.accepted == 0)
            #expect(anonymous.rejected.keys.first?.hasPrefix("auth-required:") == true, "\(anonymous.rejected)")
            var client = RelayClientConfiguration()
            client.authenticationKey = key.secretKey  // NIP-42, answered by the client
            let authenticated = try await SyncFixtures.sync(local.store, port: port, client: client) {
                $0.direction = .up
            }
            #expect(authenticated.error == nil && authenticated.accepted == 1, "\(authenticated.rejected)")
            #expect(try SyncFixtures.ids(relay.store) == [protected.id])
        }
    }
}
