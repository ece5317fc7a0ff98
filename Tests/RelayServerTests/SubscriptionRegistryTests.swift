import NostrCore
import NostrCoreTesting
import Testing

@testable import RelayServer

@Suite("Live subscription index")
struct SubscriptionRegistryTests {
    private static let corpus = CorpusGenerator(pubkeys: 12, seed: 5)

    private func sink(_ id: UInt64) -> ConnectionSink { ConnectionSink(id: id) }

    /// The index must find exactly the subscriptions a full scan with `Filter.matches` finds.
    @Test func indexAgreesWithAFullScan() {
        var random = SeededGenerator(seed: 77)
        let events = Self.corpus.allEvents()
        let registry = SubscriptionRegistry()
        var all: [(SubscriptionRegistry.Key, [Filter])] = []
        for index in 0..<300 {
            let sample = events[Int(random.next() % UInt64(events.count))]
            let filter: Filter
            switch random.next() % 6 {
            case 0: filter = Filter(ids: [sample.id])
            case 1: filter = Filter(authors: [sample.pubkey], kinds: [sample.kind])
            case 2: filter = Filter(kinds: [sample.kind])
            case 3:
                let target = Self.corpus.keyPairs[Int(random.next() % 12)].publicKey.hex
                filter = Filter(kinds: [.followList], tags: [TagCondition("p", [target])])
            case 4: filter = Filter(since: sample.createdAt)
            default: filter = Filter()
            }
            let key = SubscriptionRegistry.Key(connection: UInt64(index % 7), subscription: "s\(index)")
            registry.add(key, filters: [filter], sink: sink(key.connection))
            all.append((key, [filter]))
        }
        for event in events {
            let found = Set(registry.matches(event).map(\.0))
            let expected = Set(all.filter { $0.1.contains { $0.matches(event) } }.map(\.0))
            #expect(found == expected, "event \(event.id)")
        }
    }

    @Test func replacingAndRemovingUpdateTheIndex() {
        let registry = SubscriptionRegistry()
        let event = Self.corpus.events(forPubkey: 0)[0]
        let key = SubscriptionRegistry.Key(connection: 1, subscription: "a")
        registry.add(key, filters: [Filter(kinds: [event.kind])], sink: sink(1))
        #expect(registry.matches(event).count == 1)
        registry.add(key, filters: [Filter(kinds: [Kind(rawValue: event.kind.rawValue + 1)])], sink: sink(1))
        #expect(registry.matches(event).isEmpty)
        #expect(registry.count == 1)
        registry.add(SubscriptionRegistry.Key(connection: 1, subscription: "b"), filters: [Filter()], sink: sink(1))
        registry.add(SubscriptionRegistry.Key(connection: 2, subscription: "b"), filters: [Filter()], sink: sink(2))
        registry.removeAll(connection: 1)
        #expect(registry.count == 1)
        #expect(registry.matches(event).map(\.0.connection) == [2])
        #expect(registry.remove(SubscriptionRegistry.Key(connection: 2, subscription: "b")))
        #expect(!registry.remove(SubscriptionRegistry.Key(connection: 2, subscription: "b")))
    }

    /// A commit's fan-out runs after its OK: a subscription answered from the store in between must
    /// not get the event a second time, live, after its EOSE.
    @Test func eventsInTheStoredResultsAreNotSentLiveAgain() {
        let registry = SubscriptionRegistry()
        let event = Self.corpus.events(forPubkey: 0)[0]
        let key = SubscriptionRegistry.Key(connection: 3, subscription: "after-ok")
        registry.add(key, filters: [Filter()], sink: sink(3), loading: true)
        #expect(registry.finishLoading(key, snapshot: 10) == [])
        #expect(registry.matches(event, sequence: 9).isEmpty, "in the stored results already")
        #expect(registry.matches(event, sequence: 10).map(\.0) == [key])
        #expect(registry.matches(event).map(\.0) == [key], "an event that is not stored always goes out")
        // The same id subscribed again starts afresh.
        registry.add(key, filters: [Filter()], sink: sink(3))
        #expect(registry.matches(event, sequence: 9).map(\.0) == [key])
    }

    @Test func loadingSubscriptionsHoldLiveEventsUntilTheirSnapshotIsKnown() {
        let registry = SubscriptionRegistry()
        let key = SubscriptionRegistry.Key(connection: 9, subscription: "l")
        registry.add(key, filters: [Filter()], sink: sink(9), loading: true)
        #expect(registry.hold(key, sequence: 5, bytes: [5]))
        #expect(registry.hold(key, sequence: 12, bytes: [12]))
        #expect(registry.hold(key, sequence: .max, bytes: [99]))
        // The stored query saw everything below 10: only the later ones go out, in order.
        #expect(registry.finishLoading(key, snapshot: 10) == [[12], [99]])
        #expect(!registry.hold(key, sequence: 13, bytes: [13]))  // live now: send directly
        // A fan-out that matched before loading finished, arriving after it: the snapshot had it.
        #expect(registry.hold(key, sequence: 7, bytes: [7]))
        // A subscription closed meanwhile gets nothing.
        #expect(registry.hold(SubscriptionRegistry.Key(connection: 9, subscription: "gone"), sequence: 13, bytes: []))

        let busy = SubscriptionRegistry.Key(connection: 9, subscription: "busy")
        registry.add(busy, filters: [Filter()], sink: sink(9), loading: true)
        for sequence in 0...UInt64(SubscriptionRegistry.holdLimit) {
            #expect(registry.hold(busy, sequence: sequence, bytes: []))
        }
        #expect(registry.finishLoading(busy, snapshot: 0) == nil)  // overflowed: the caller closes it
    }
}
