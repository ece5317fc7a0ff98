import Foundation
import LMDBStore
import NostrCore
import NostrCoreTesting
import PurplePagesTestSupport
import Testing

/// rust-nostr's NIP-77 client (`Client.sync` of the `nostr-sdk` Python bindings, pinned in
/// Tests/Interop/requirements.txt) against PurplePages serving negentropy, in each direction.
@Suite("rust-nostr negentropy sync with PurplePages")
struct RustNostrSyncTests {
    /// The filter every fixture sync runs over: profiles and follow lists, not relay lists.
    static let filter = #"{"kinds":[0,3]}"#

    @Test func syncDownDeliversTheRelaysFilteredEventsAndUploadsNothing() async throws {
        let fixture = SyncFixture()
        try await withTestRelay { relay, port async throws in
            try await save(fixture.relayEvents, in: relay.store)
            let outcome = try await NostrSDKSync.run(
                relay: "ws://127.0.0.1:\(port)", direction: .down, filter: Self.filter, events: fixture.sdkEvents)
            try #require(outcome.status == 0, Comment(rawValue: outcome.failure))

            let relayInFilter = fixture.relayEvents.filter(fixture.inFilter)
            #expect(outcome.eventIDs == ids(fixture.sdkEvents).union(ids(relayInFilter)))
            #expect(outcome.ids("received") == ids(relayInFilter).subtracting(ids(fixture.shared)))
            #expect(outcome.ids("remote") == ids(relayInFilter).subtracting(ids(fixture.shared)))
            #expect(outcome.ids("local") == ids(fixture.sdkOnly.filter(fixture.inFilter)))
            #expect(outcome.ids("sent").isEmpty)
            #expect(try storedIDs(relay.store) == ids(fixture.relayEvents))
        }
    }

    @Test func syncUpLeavesTheRelayHoldingTheSDKsExtraEvents() async throws {
        let fixture = SyncFixture()
        try await withTestRelay { relay, port async throws in
            try await save(fixture.relayEvents, in: relay.store)
            let outcome = try await NostrSDKSync.run(
                relay: "ws://127.0.0.1:\(port)", direction: .up, filter: Self.filter, events: fixture.sdkEvents)
            try #require(outcome.status == 0, Comment(rawValue: outcome.failure))

            let uploaded = ids(fixture.sdkOnly.filter(fixture.inFilter))
            #expect(outcome.ids("sent") == uploaded)
            #expect(outcome.ids("received").isEmpty)
            #expect(outcome.eventIDs == ids(fixture.sdkEvents))
            // The SDK's events outside the filter (its relay lists) stay its own.
            #expect(try storedIDs(relay.store) == ids(fixture.relayEvents).union(uploaded))
            let stored = try relay.store.queryEvents([Filter(ids: fixture.sdkOnly.map(\.id))])
            #expect(Set(stored.map(\.jsonString)) == Set(fixture.sdkOnly.filter(fixture.inFilter).map(\.jsonString)))
        }
    }

    @Test func syncBothMergesTheFilteredEventsOfBothSides() async throws {
        let fixture = SyncFixture()
        try await withTestRelay { relay, port async throws in
            try await save(fixture.relayEvents, in: relay.store)
            let outcome = try await NostrSDKSync.run(
                relay: "ws://127.0.0.1:\(port)", direction: .both, filter: Self.filter, events: fixture.sdkEvents)
            try #require(outcome.status == 0, Comment(rawValue: outcome.failure))

            let relayInFilter = fixture.relayEvents.filter(fixture.inFilter)
            let sdkInFilter = fixture.sdkOnly.filter(fixture.inFilter)
            #expect(outcome.eventIDs == ids(fixture.sdkEvents).union(ids(relayInFilter)))
            #expect(try storedIDs(relay.store) == ids(fixture.relayEvents).union(ids(sdkInFilter)))
            #expect(outcome.ids("sent") == ids(sdkInFilter))
            #expect(outcome.ids("received") == ids(relayInFilter).subtracting(ids(fixture.shared)))
        }
    }

    @Test func aDryRunReconcilesIdsAndMovesNoEvent() async throws {
        let fixture = SyncFixture()
        try await withTestRelay { relay, port async throws in
            try await save(fixture.relayEvents, in: relay.store)
            let outcome = try await NostrSDKSync.run(
                relay: "ws://127.0.0.1:\(port)", direction: .both, filter: Self.filter, events: fixture.sdkEvents,
                dryRun: true)
            try #require(outcome.status == 0, Comment(rawValue: outcome.failure))

            let relayInFilter = fixture.relayEvents.filter(fixture.inFilter)
            #expect(outcome.ids("remote") == ids(relayInFilter).subtracting(ids(fixture.shared)))
            #expect(outcome.ids("local") == ids(fixture.sdkOnly.filter(fixture.inFilter)))
            #expect(outcome.eventIDs == ids(fixture.sdkEvents))
            #expect(try storedIDs(relay.store) == ids(fixture.relayEvents))
        }
    }

    /// About a thousand generated events (follow lists of up to 2000 tags, timestamps over a year),
    /// each side missing a different third: many negentropy rounds, then both sides hold everything.
    @Test func syncBothOfAGeneratedCorpusOverTheEmptyFilter() async throws {
        let corpus = CorpusGenerator(pubkeys: 300, seed: 77).allEvents()
        let relayEvents = corpus.enumerated().filter { $0.offset % 3 != 0 }.map(\.element)
        let sdkEvents = corpus.enumerated().filter { $0.offset % 3 != 1 }.map(\.element)
        // The SDK uploads a third of the corpus at once: no EVENT rate limit in the way.
        try await withTestRelay(configure: { $0.limits.eventRate = 0 }) { relay, port async throws in
            try await save(relayEvents, in: relay.store)
            let outcome = try await NostrSDKSync.run(
                relay: "ws://127.0.0.1:\(port)", direction: .both, filter: "{}", events: sdkEvents)
            try #require(outcome.status == 0, Comment(rawValue: outcome.failure))

            #expect(outcome.ids("received") == ids(relayEvents).subtracting(ids(sdkEvents)))
            #expect(outcome.ids("sent") == ids(sdkEvents).subtracting(ids(relayEvents)))
            #expect(outcome.eventIDs == ids(corpus))
            #expect(try storedIDs(relay.store) == ids(corpus))
        }
    }

    /// The harness itself, whatever PurplePages serves: the SDK connects to a relay without
    /// negentropy, and its sync fails with the relay's NEG-ERR reason (exit status 1).
    @Test func theSDKReportsARelayThatRefusesNegentropy() async throws {
        let fixture = SyncFixture()
        let relay = try await ReqOnlyRelay.start(events: fixture.relayEvents, negentropyReply: .negErr)
        let outcome = try await NostrSDKSync.run(
            relay: relay.url, direction: .down, filter: Self.filter, events: fixture.sdkEvents, initialTimeout: 5)
        let held = try await relay.stop()

        #expect(outcome.status == 1, Comment(rawValue: outcome.failure))
        #expect(
            outcome.errors.contains("negentropy is not supported by this relay"), Comment(rawValue: outcome.failure))
        #expect(outcome.eventIDs == ids(fixture.sdkEvents))
        #expect(relay.receivedMessageTypes.contains("NEG-OPEN"))
        #expect(Set(held) == Set(fixture.relayEvents.map(\.jsonString)))
    }
}

/// The events of a sync test: relay lists are outside `RustNostrSyncTests.filter`, and many
/// events share a second (profiles one, follow lists the next, relay lists the one after).
struct SyncFixture {
    /// What the relay holds: 24 authors' profile, follow list and relay list.
    let relayEvents: [Event]
    /// The relay's events the SDK holds too: the first 8 authors'.
    let shared: [Event]
    /// The SDK's own: 6 other authors' profiles and follow lists, and 2 relay lists.
    let sdkOnly: [Event]

    /// Everything the SDK starts with.
    var sdkEvents: [Event] { shared + sdkOnly }

    /// Whether an event is one the sync's filter selects.
    let inFilter: @Sendable (Event) -> Bool = { [Kind.metadata, Kind.followList].contains($0.kind) }

    init() {
        let base = unixNow - 86_400
        func events(of author: KeyPair, index: Int, relayList: Bool) -> [Event] {
            var events = [
                author.event(.metadata, content: #"{"name":"author \#(index)"}"#, at: base),
                author.event(.followList, tags: [["p", KeyPair.generate().publicKey.hex]], at: base + 1),
            ]
            if relayList {
                events.append(author.event(.relayList, tags: [["r", "wss://relay.example.com"]], at: base + 2))
            }
            return events
        }
        let relayAuthors = (0..<24).map { _ in KeyPair.generate() }
        let relayEvents = relayAuthors.enumerated().map { events(of: $1, index: $0, relayList: true) }
        self.relayEvents = relayEvents.flatMap(\.self)
        shared = relayEvents.prefix(8).flatMap(\.self)
        sdkOnly = (0..<6).flatMap { index in
            events(of: KeyPair.generate(), index: 100 + index, relayList: index < 2)
        }
    }
}

/// Saves `events` in `store`, requiring every one stored.
func save(_ events: [Event], in store: EventStore) async throws {
    let outcomes = try await store.save(events)
    let allStored = outcomes.allSatisfy { $0.isStored }
    try #require(allStored, "not all fixture events were stored: \(Set(outcomes))")
}

/// The ids (hex) of every event in `store`.
func storedIDs(_ store: EventStore) throws -> Set<String> {
    var result = Set<String>()
    try store.scanAll { stored in
        result.insert(try Event(json: Array(stored.json)).id.hex)
        return true
    }
    return result
}
