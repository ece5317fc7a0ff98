import LMDBStore
import LMDBStoreTesting
import NostrCore
import NostrCoreTesting
import Synchronization
import Testing

// strfry's test/writeTest.pl as table-driven vectors, plus PurplePages' NIP-09/NIP-40 rules.
// Each case is saved twice into fresh stores: one `save` per event, and the whole sequence in one
// `save([...])` batch. Both must give the listed outcome per event and the listed survivors.

/// Fixed key pairs and helpers shared by the write-rule tests.
enum WriteFixtures {
    static let now: Int64 = 1_700_000_000
    static let alice = keyPair(1)
    static let bob = keyPair(2)
    static let carol = keyPair(3)

    static func keyPair(_ number: UInt64) -> KeyPair {
        KeyPair(secretKey: SecretKey(Bytes32(w0: 0x5eed, w1: number, w2: 0x1234_5678 &* number, w3: number))!)
    }

    /// A deterministic signed event.
    static func event(
        _ keys: KeyPair, _ kind: Kind, _ createdAt: Int64, _ content: String = "", tags: [[String]] = []
    ) -> Event {
        keys.sign(kind: kind, tags: tags, content: content, createdAt: createdAt, auxiliaryRandom: .zero)
    }

    static func address(_ kind: Kind, _ keys: KeyPair, _ identifier: String) -> String {
        "\(kind.rawValue):\(keys.publicKey.hex):\(identifier)"
    }

    /// Two events differing only in content, returned as (lower id, higher id).
    static func tie(_ keys: KeyPair, _ kind: Kind, _ createdAt: Int64, tags: [[String]] = []) -> (Event, Event) {
        let first = event(keys, kind, createdAt, "c1", tags: tags)
        let second = event(keys, kind, createdAt, "c2", tags: tags)
        return first.id < second.id ? (first, second) : (second, first)
    }

    /// A store with a fixed clock and limits large enough to read everything back.
    static func configure(_ config: inout EventStoreConfiguration) {
        config.clock = { WriteFixtures.now }
        config.defaultLimit = 100_000
        config.maxLimit = 100_000
    }

    /// NIP-01 order: newest first, lowest id first among equal `created_at`.
    static func ordered(_ events: [Event]) -> [Event] {
        events.sorted { ($0.createdAt, $1.id) > ($1.createdAt, $0.id) }
    }
}

/// One write-rule vector: events saved in order, the outcome of each, and which survive.
struct WriteCase: Sendable, CustomTestStringConvertible {
    let name: String
    let events: [Event]
    let outcomes: [SaveOutcome]
    /// Indices into `events` of the events the store keeps.
    let survivors: [Int]

    init(_ name: String, _ steps: [(Event, SaveOutcome)], survivors: [Int]) {
        self.name = name
        events = steps.map(\.0)
        outcomes = steps.map(\.1)
        self.survivors = survivors
    }

    var testDescription: String { name }

    /// The surviving events in query order.
    var expectedSurvivors: [Event] { WriteFixtures.ordered(survivors.map { events[$0] }) }

    /// "#index" labels for ids, so failures name the steps.
    func labels(_ ids: [EventID]) -> [String] {
        ids.map { id in
            if let index = events.firstIndex(where: { $0.id == id }) {
                return "#\(index)(kind \(events[index].kind) @\(events[index].createdAt))"
            }
            return "unknown \(id.hex.prefix(8))"
        }
    }

    /// Checks the store holds exactly the survivors, in order, with matching counts and statistics.
    func verify(_ store: EventStore, mode: String) throws {
        let stored = try store.queryEvents([Filter()], limit: 1_000_000)
        #expect(
            labels(stored.map(\.id)) == labels(expectedSurvivors.map(\.id)),
            "\(name) [\(mode)]: surviving events")
        #expect(
            try store.count([Filter()]) == EventCount(count: survivors.count, approximate: false),
            "\(name) [\(mode)]: count")
        var byKind: [Kind: Int] = [:]
        for index in survivors { byKind[events[index].kind, default: 0] += 1 }
        let statistics = try store.statistics()
        #expect(statistics.eventsByKind == byKind, "\(name) [\(mode)]: statistics().eventsByKind")
        #expect(statistics.totalEvents == survivors.count, "\(name) [\(mode)]: statistics().totalEvents")
    }
}

extension WriteCase {
    static let all: [WriteCase] = {
        typealias F = WriteFixtures
        let (alice, bob) = (F.alice, F.bob)
        let now = F.now
        func ev(_ keys: KeyPair, _ kind: Kind, _ at: Int64, _ content: String = "", _ tags: [[String]] = []) -> Event {
            F.event(keys, kind, at, content, tags: tags)
        }
        var cases: [WriteCase] = []

        // MARK: Basics
        cases.append(
            WriteCase(
                "basic insert",
                [(ev(alice, 1, 5000, "hi"), .stored), (ev(alice, 1, 5000, "hi 2"), .stored)], survivors: [0, 1]))
        do {
            let note = ev(alice, 1, 5000, "hi")
            let profile = ev(alice, 0, 5000, "{}")
            cases.append(
                WriteCase(
                    "duplicate of a stored event",
                    [(note, .stored), (profile, .stored), (note, .duplicate), (profile, .duplicate)],
                    survivors: [0, 1]))
        }
        cases.append(
            WriteCase(
                "ephemeral kinds are never stored",
                [
                    (ev(alice, 20000, 5000), .ephemeral), (ev(alice, 29999, 5000), .ephemeral),
                    (ev(alice, 22242, 5000), .ephemeral), (ev(alice, 19999, 5000), .stored),
                    (ev(alice, 30000, 5000), .stored),
                ], survivors: [3, 4]))

        // MARK: Replaceable events
        for kind: Kind in [0, 3, 10000, 10002, 19999] {
            cases.append(
                WriteCase(
                    "replacement by newer, kind \(kind)",
                    [
                        (ev(alice, kind, 5000, "hi"), .stored), (ev(alice, kind, 5001, "hi 2"), .replaced),
                        (ev(alice, kind, 5000, "hi"), .rejectedOlder),
                    ], survivors: [1]))
        }
        cases.append(
            WriteCase(
                "older replaceable dropped (newer first)",
                [(ev(alice, 10000, 5001, "hi"), .stored), (ev(alice, 10000, 5000, "hi 2"), .rejectedOlder)],
                survivors: [0]))
        cases.append(
            WriteCase(
                "older replaceable dropped (older first)",
                [(ev(alice, 10000, 5000, "hi 2"), .stored), (ev(alice, 10000, 5001, "hi"), .replaced)],
                survivors: [1]))
        cases.append(
            WriteCase(
                "other author's replaceable not replaced",
                [(ev(alice, 10000, 5000), .stored), (ev(bob, 10000, 5001), .stored)], survivors: [0, 1]))
        cases.append(
            WriteCase(
                "other kind not replaced",
                [(ev(alice, 10001, 5000), .stored), (ev(alice, 10000, 5001), .stored)], survivors: [0, 1]))
        cases.append(
            WriteCase(
                "d tag ignored for 10000-19999 (missing, then d)",
                [
                    (ev(alice, 10003, 5000, "hi"), .stored),
                    (ev(alice, 10003, 5001, "hi 2", [["d", "myrepl"]]), .replaced),
                ],
                survivors: [1]))
        cases.append(
            WriteCase(
                "d tag ignored for 10000-19999 (two different d)",
                [
                    (ev(alice, 10000, 5000, "", [["d", "one"]]), .stored),
                    (ev(alice, 10000, 5001, "", [["d", "two"]]), .replaced),
                    (ev(alice, 10000, 4999, "", [["d", "three"]]), .rejectedOlder),
                ], survivors: [1]))
        do {
            let (low, high) = F.tie(alice, 10000, 5000)
            cases.append(
                WriteCase(
                    "equal timestamps: higher id second is dropped", [(low, .stored), (high, .rejectedOlder)],
                    survivors: [0]))
            cases.append(
                WriteCase(
                    "equal timestamps: lower id second replaces", [(high, .stored), (low, .replaced)], survivors: [1]))
        }
        do {
            let (low, high) = F.tie(alice, 30001, 5000, tags: [["d", "x"]])
            cases.append(
                WriteCase(
                    "addressable equal timestamps: higher id second is dropped",
                    [(low, .stored), (high, .rejectedOlder)], survivors: [0]))
            cases.append(
                WriteCase(
                    "addressable equal timestamps: lower id second replaces", [(high, .stored), (low, .replaced)],
                    survivors: [1]))
        }

        // MARK: Addressable events
        cases.append(
            WriteCase(
                "addressable replacement",
                [
                    (ev(alice, 30001, 5000, "hi1", [["d", "myrepl"]]), .stored),
                    (ev(alice, 30001, 5001, "hi2", [["d", "myrepl"]]), .replaced),
                ], survivors: [1]))
        cases.append(
            WriteCase(
                "d tag only matters in 30000-39999",
                [
                    (ev(alice, 1, 5000, "hi1", [["d", "myrepl"]]), .stored),
                    (ev(alice, 1, 5001, "hi2", [["d", "myrepl"]]), .stored),
                ], survivors: [0, 1]))
        cases.append(
            WriteCase(
                "addressable d tags have to match",
                [
                    (ev(alice, 30001, 5000, "hi1", [["d", "myrepl"]]), .stored),
                    (ev(alice, 30001, 5001, "hi2", [["d", "myrepl2"]]), .stored),
                    (ev(alice, 30001, 5002, "hi3", [["d", "myrepl"]]), .replaced),
                ], survivors: [1, 2]))
        cases.append(
            WriteCase(
                "addressable kinds have to match",
                [
                    (ev(alice, 30001, 5000, "hi1", [["d", "myrepl"]]), .stored),
                    (ev(alice, 30002, 5001, "hi2", [["d", "myrepl"]]), .stored),
                ], survivors: [0, 1]))
        cases.append(
            WriteCase(
                "addressable pubkeys have to match",
                [
                    (ev(alice, 30001, 5000, "hi1", [["d", "myrepl"]]), .stored),
                    (ev(bob, 30001, 5001, "hi2", [["d", "myrepl"]]), .stored),
                ], survivors: [0, 1]))
        cases.append(
            WriteCase(
                "newer addressable is not replaced by older",
                [
                    (ev(alice, 30001, 5001, "hi1", [["d", "myrepl"]]), .stored),
                    (ev(alice, 30001, 5000, "hi2", [["d", "myrepl"]]), .rejectedOlder),
                ], survivors: [0]))
        cases.append(
            WriteCase(
                "explicit empty d equals missing d (missing first)",
                [
                    (ev(alice, 30003, 5000, "hi"), .stored), (ev(alice, 30003, 5001, "hi 2", [["d", ""]]), .replaced),
                    (ev(alice, 30003, 5000, "hi"), .rejectedOlder),
                ], survivors: [1]))
        cases.append(
            WriteCase(
                "explicit empty d equals missing d (empty first)",
                [
                    (ev(alice, 30003, 5000, "hi", [["d", ""]]), .stored), (ev(alice, 30003, 5001, "hi 2"), .replaced),
                    (ev(alice, 30003, 4000, "old", [["d", ""]]), .rejectedOlder),
                ], survivors: [1]))

        // MARK: Deletion by `e`
        do {
            let e0 = ev(alice, 1, 5000, "hi")
            let e1 = ev(alice, 1, 5001, "hi")
            let e2 = ev(alice, 1, 5002, "hi")
            let deletion = ev(alice, 5, 6000, "blah", [["e", e2.id.hex], ["e", e0.id.hex]])
            cases.append(
                WriteCase(
                    "deletion by e", [(e0, .stored), (e1, .stored), (e2, .stored), (deletion, .stored)],
                    survivors: [1, 3]))
            let twice = ev(alice, 5, 6000, "blah", [["e", e2.id.hex], ["e", e2.id.hex]])
            cases.append(
                WriteCase(
                    "deletion naming its target twice",
                    [(e0, .stored), (e1, .stored), (e2, .stored), (twice, .stored)],
                    survivors: [0, 1, 3]))
        }
        do {
            let note = ev(alice, 1, 5000, "hi")
            let deletion = ev(alice, 5, 6000, "blah", [["e", note.id.hex]])
            cases.append(
                WriteCase(
                    "duplicate deletion", [(note, .stored), (deletion, .stored), (deletion, .duplicate)],
                    survivors: [1]))
            cases.append(
                WriteCase(
                    "deletion blocks re-adding its target", [(note, .stored), (deletion, .stored), (note, .deleted)],
                    survivors: [1]))
            cases.append(
                WriteCase(
                    "deletion arriving before its target still blocks it", [(deletion, .stored), (note, .deleted)],
                    survivors: [0]))
            let byBob = ev(bob, 5, 6000, "blah", [["e", note.id.hex]])
            cases.append(
                WriteCase(
                    "deleting another author's event is refused",
                    [(note, .stored), (byBob, .stored), (note, .duplicate)],
                    survivors: [0, 1]))
            cases.append(
                WriteCase(
                    "another author's deletion arriving first does not block", [(byBob, .stored), (note, .stored)],
                    survivors: [0, 1]))
            let deleteDeletion = ev(alice, 5, 7000, "blah", [["e", deletion.id.hex]])
            cases.append(
                WriteCase(
                    "deleting a deletion does nothing",
                    [(note, .stored), (deletion, .stored), (deleteDeletion, .stored), (note, .deleted)],
                    survivors: [1, 2]))
            cases.append(
                WriteCase(
                    "deleting a deletion does nothing (deletion of the deletion first)",
                    [(deleteDeletion, .stored), (deletion, .stored), (note, .deleted)], survivors: [0, 1]))
        }
        do {
            let profile = ev(alice, 0, 5000, "{}")
            let deletion = ev(alice, 5, 6000, "", [["e", profile.id.hex]])
            cases.append(
                WriteCase(
                    "deletion by e of a replaceable event",
                    [
                        (profile, .stored), (deletion, .stored), (profile, .deleted),
                        (ev(alice, 0, 7000, "{}"), .stored),
                    ],
                    survivors: [1, 3]))
        }

        // MARK: Deletion by `a`
        do {
            let hello = [["d", "hello"]]
            let deletion = ev(alice, 5, 6000, "blah", [["a", F.address(30000, alice, "hello")]])
            cases.append(
                WriteCase(
                    "a-tag deletion blocks the same event",
                    [
                        (ev(alice, 30000, 5000, "hi", hello), .stored), (deletion, .stored),
                        (ev(alice, 30000, 5000, "hi", hello), .deleted),
                    ],
                    survivors: [1]))
            cases.append(
                WriteCase(
                    "a-tag deletion blocks older and equal versions, allows a newer one",
                    [
                        (ev(alice, 30000, 5000, "hi", hello), .stored), (deletion, .stored),
                        (ev(alice, 30000, 5500, "hi", hello), .deleted),
                        (ev(alice, 30000, 6000, "eq", hello), .deleted),
                        (ev(alice, 30000, 6500, "hi", hello), .stored),
                    ], survivors: [1, 4]))
            cases.append(
                WriteCase(
                    "a-tag deletion keeps a version newer than itself",
                    [(ev(alice, 30000, 6500, "hi", hello), .stored), (deletion, .stored)], survivors: [0, 1]))
            cases.append(
                WriteCase(
                    "a-tag deletion, several a tags",
                    [
                        (ev(alice, 30000, 5000, "hi", hello), .stored),
                        (ev(alice, 30000, 5000, "hi", [["d", "blah"]]), .stored),
                        (ev(alice, 30000, 5000, "hi", [["d", "whatever"]]), .stored),
                        (ev(alice, 30001, 5000, "hi", [["d", "whatever"]]), .stored),
                        (ev(bob, 30000, 5000, "hi", [["d", "whatever"]]), .stored),
                        (
                            ev(
                                alice, 5, 6000, "blah",
                                [
                                    ["a", F.address(30000, alice, "hello")],
                                    ["a", F.address(30000, alice, "whatever")],
                                    ["a", F.address(30000, alice, "stuff")],
                                ]), .stored
                        ),
                    ], survivors: [1, 3, 4, 5]))
            let d6000 = ev(alice, 5, 6000, "blah", [["a", F.address(30000, alice, "hello")]])
            let d8000 = ev(alice, 5, 8000, "blah", [["a", F.address(30000, alice, "hello")]])
            cases.append(
                WriteCase(
                    "a-tag deletion, several deletions mixed",
                    [
                        (ev(alice, 30000, 5000, "hi", hello), .stored), (d6000, .stored),
                        (ev(alice, 30000, 7000, "hi", hello), .stored), (d8000, .stored),
                        (ev(alice, 30000, 9000, "hi", hello), .stored),
                    ], survivors: [1, 3, 4]))
            cases.append(
                WriteCase(
                    "a-tag deletion, several deletions first",
                    [
                        (d8000, .stored), (d6000, .stored), (ev(alice, 30000, 7000, "hi", hello), .deleted),
                        (ev(alice, 30000, 5000, "hi", hello), .deleted), (ev(alice, 30000, 9000, "hi", hello), .stored),
                    ], survivors: [0, 1, 4]))
            cases.append(
                WriteCase(
                    "a-tag deletion, several deletions last",
                    [
                        (ev(alice, 30000, 5000, "hi", hello), .stored),
                        (ev(alice, 30000, 7000, "hi", hello), .replaced),
                        (ev(alice, 30000, 9000, "hi", hello), .replaced), (d6000, .stored), (d8000, .stored),
                    ], survivors: [2, 3, 4]))
            cases.append(
                WriteCase(
                    "a-tag deletion of another author's address is refused",
                    [
                        (ev(bob, 5, 6000, "blah", [["a", F.address(30000, alice, "hello")]]), .stored),
                        (ev(alice, 30000, 5000, "hi", hello), .stored),
                    ], survivors: [0, 1]))
            cases.append(
                WriteCase(
                    "a-tag deletion only affects replaceable and addressable kinds",
                    [
                        (ev(alice, 20000, 5000, "hi", hello), .ephemeral),
                        (ev(alice, 50000, 5000, "hi", hello), .stored),
                        (
                            ev(
                                alice, 5, 6000, "blah",
                                [["a", F.address(20000, alice, "hello")], ["a", F.address(50000, alice, "hello")]]),
                            .stored
                        ),
                    ], survivors: [1, 2]))
            cases.append(
                WriteCase(
                    "a-tag deletion of a replaceable address",
                    [
                        (ev(alice, 10000, 5000), .stored),
                        (ev(alice, 5, 6000, "", [["a", F.address(10000, alice, "")]]), .stored),
                        (ev(alice, 10000, 5500), .deleted), (ev(alice, 10000, 7000), .stored),
                    ], survivors: [1, 3]))
            cases.append(
                WriteCase(
                    "a-tag deletion: explicit empty d equals missing d",
                    [
                        (ev(alice, 30003, 5000, "hi", [["d", ""]]), .stored),
                        (ev(alice, 5, 6000, "", [["a", F.address(30003, alice, "")]]), .stored),
                        (ev(alice, 30003, 5500, "hi"), .deleted),
                    ], survivors: [1]))
            let a39999 = ev(alice, 5, 6000, "blah", [["a", F.address(39999, alice, "hello")]])
            cases.append(
                WriteCase(
                    "deleting an a-tag deletion does nothing",
                    [
                        (ev(alice, 39999, 5000, "hi", hello), .stored), (a39999, .stored),
                        (ev(alice, 39999, 5000, "hi", hello), .deleted),
                        (ev(alice, 5, 6000, "blah", [["e", a39999.id.hex]]), .stored),
                        (ev(alice, 39999, 5000, "hi", hello), .deleted),
                    ], survivors: [1, 3]))
        }

        // MARK: NIP-40 expiration
        cases.append(
            WriteCase(
                "expired events are refused",
                [
                    (ev(alice, 1, now - 100, "past", [["expiration", "\(now - 1)"]]), .expired),
                    (ev(alice, 1, now - 100, "now", [["expiration", "\(now)"]]), .expired),
                    (ev(alice, 0, now - 100, "{}", [["expiration", "\(now - 50)"]]), .expired),
                    (ev(alice, 1, now - 100, "future", [["expiration", "\(now + 1)"]]), .stored),
                ], survivors: [3]))
        cases.append(
            WriteCase(
                "an expired version does not replace a stored one",
                [
                    (ev(alice, 0, now - 100, "{}"), .stored),
                    (ev(alice, 0, now - 50, "{}", [["expiration", "\(now - 1)"]]), .expired),
                ], survivors: [0]))
        return cases
    }()
}

@Suite("Write rules (strfry writeTest vectors)")
struct WriteRulesTests {
    @Test("one save per event", arguments: WriteCase.all)
    func savedOneByOne(_ vector: WriteCase) async throws {
        let temporary = try TemporaryStore(WriteFixtures.configure)
        var outcomes: [SaveOutcome] = []
        for event in vector.events { outcomes.append(try await temporary.store.save(event)) }
        #expect(outcomes == vector.outcomes, "\(vector.name) [one by one]: outcomes")
        try vector.verify(temporary.store, mode: "one by one")
    }

    @Test("one batch", arguments: WriteCase.all)
    func savedAsOneBatch(_ vector: WriteCase) async throws {
        let temporary = try TemporaryStore(WriteFixtures.configure)
        let outcomes = try await temporary.store.save(vector.events)
        #expect(outcomes == vector.outcomes, "\(vector.name) [one batch]: outcomes")
        try vector.verify(temporary.store, mode: "one batch")
    }

    @Test("saveAndWait, one call per event", arguments: WriteCase.all)
    func savedAndWaited(_ vector: WriteCase) throws {
        let temporary = try TemporaryStore(WriteFixtures.configure)
        let outcomes = try vector.events.flatMap { try temporary.store.saveAndWait([$0]) }
        #expect(outcomes == vector.outcomes, "\(vector.name) [saveAndWait]: outcomes")
        try vector.verify(temporary.store, mode: "saveAndWait")
    }
}

/// A clock tests move by hand.
final class ManualClock: Sendable {
    private let value: Mutex<Int64>
    init(_ start: Int64) { value = Mutex(start) }
    var now: Int64 { value.withLock { $0 } }
    func set(_ time: Int64) { value.withLock { $0 = time } }
}

/// Collects what a callback hands over, from any thread.
final class EventCollector: Sendable {
    private let storage = Mutex<[Event]>([])
    func append(_ event: Event) { storage.withLock { $0.append(event) } }
    var events: [Event] { storage.withLock { $0 } }
}

@Suite("Write rules: expiration, callbacks, statistics")
struct WriteRulesLifecycleTests {
    typealias F = WriteFixtures

    @Test func futureExpirationIsHiddenOnceThePastAndPurged() async throws {
        let clock = ManualClock(F.now)
        let temporary = try TemporaryStore { config in
            F.configure(&config)
            config.clock = { clock.now }
        }
        let store = temporary.store
        let soon = F.event(F.alice, 1, F.now - 10, "soon", tags: [["expiration", "\(F.now + 100)"]])
        let later = F.event(F.alice, 10000, F.now - 10, "later", tags: [["expiration", "\(F.now + 200)"]])
        let lasting = F.event(F.alice, 1, F.now - 5, "lasting")
        #expect(try await store.save([soon, later, lasting]) == [.stored, .stored, .stored])
        #expect(try store.queryEvents([Filter()]).map(\.id) == F.ordered([soon, later, lasting]).map(\.id))

        // Expiration is inclusive: at exactly `expiration` the event is gone.
        clock.set(F.now + 100)
        #expect(try store.queryEvents([Filter()]).map(\.id) == F.ordered([later, lasting]).map(\.id))
        #expect(try store.queryEvents([Filter(ids: [soon.id])]).isEmpty)
        #expect(try store.queryEvents([Filter(kinds: [1])]).map(\.id) == [lasting.id])
        #expect(try store.queryEvents([Filter(authors: [F.alice.publicKey], kinds: [1])]).map(\.id) == [lasting.id])
        #expect(try store.count([Filter()]) == EventCount(count: 2, approximate: false))
        #expect(try store.count([Filter(kinds: [1])]) == EventCount(count: 1, approximate: false))
        #expect(try await store.save(soon) == .expired)

        #expect(try await store.purgeExpired() == 1)
        #expect(try store.statistics().eventsByKind == [1: 1, 10000: 1])
        #expect(try await store.purgeExpired() == 0)

        // An explicit time overrides the clock.
        #expect(try await store.purgeExpired(now: F.now + 199) == 0)
        #expect(try store.queryEvents([Filter()]).map(\.id) == F.ordered([later, lasting]).map(\.id))
        #expect(try await store.purgeExpired(now: F.now + 200) == 1)
        #expect(try store.statistics().eventsByKind == [1: 1])
        clock.set(F.now)
        #expect(try store.queryEvents([Filter()]).map(\.id) == [lasting.id])
        // Once purged, the replaceable address is free again for a version without expiration.
        #expect(try await store.save(F.event(F.alice, 10000, F.now - 20, "again")) == .stored)
    }

    @Test func onReplaceReceivesSupersededEvents() async throws {
        let collector = EventCollector()
        let temporary = try TemporaryStore { config in
            F.configure(&config)
            config.onReplace = { collector.append($0) }
        }
        let store = temporary.store
        let v1 = F.event(F.alice, 10000, 5000, "v1")
        let v2 = F.event(F.alice, 10000, 5001, "v2")
        let v0 = F.event(F.alice, 10000, 4999, "v0")
        let a1 = F.event(F.alice, 30000, 5000, "a1", tags: [["d", "x"]])
        let a2 = F.event(F.alice, 30000, 5001, "a2", tags: [["d", "x"]])
        let other = F.event(F.alice, 30000, 5002, "other", tags: [["d", "y"]])
        let note = F.event(F.alice, 1, 5000, "note")
        let deletion = F.event(
            F.alice, 5, 6000, "", tags: [["e", note.id.hex], ["a", F.address(30000, F.alice, "y")]])
        let p1 = F.event(F.bob, 0, 5000, "{}")
        let p2 = F.event(F.bob, 0, 5003, "{}")
        var outcomes: [SaveOutcome] = []
        for event in [v1, v2, v0, a1, a2, other, note, deletion] { outcomes.append(try await store.save(event)) }
        outcomes += try await store.save([p1, p2])
        #expect(
            outcomes == [
                .stored, .replaced, .rejectedOlder, .stored, .replaced, .stored, .stored, .stored, .stored, .replaced,
            ])
        // The callback runs after the commit, on the writer; a later commit's completion comes after it.
        _ = try await store.save(F.event(F.carol, 1, 7000, "sentinel"))
        #expect(collector.events.map(\.id) == [v1.id, a1.id, p1.id])
        #expect(collector.events == [v1, a1, p1])
    }

    @Test func statisticsFollowReplacementsAndDeletions() async throws {
        let temporary = try TemporaryStore(F.configure)
        let store = temporary.store
        let (alice, bob) = (F.alice, F.bob)
        let notes = (0..<5).map { F.event(alice, 1, 5000 + Int64($0), "note \($0)") }
        var events: [Event] = []
        events += [F.event(alice, 0, 5000, "{}"), F.event(alice, 0, 5001, "{}"), F.event(alice, 0, 4000, "{}")]
        events += [F.event(alice, 3, 5000), F.event(alice, 3, 5005), F.event(bob, 3, 5000)]
        events += notes
        events += [F.event(alice, 5, 6000, "", tags: [["e", notes[0].id.hex], ["e", notes[1].id.hex]])]
        events += [F.event(bob, 5, 6000, "", tags: [["e", notes[2].id.hex]])]
        events += [
            F.event(alice, 30000, 5000, "", tags: [["d", "a"]]), F.event(alice, 30000, 5001, "", tags: [["d", "a"]]),
            F.event(alice, 30000, 5000, "", tags: [["d", "b"]]), F.event(alice, 30000, 5000, "", tags: [["d", "c"]]),
        ]
        events += [F.event(alice, 5, 6001, "", tags: [["a", F.address(30000, alice, "c")]])]
        events += [F.event(alice, 20001, 5000), F.event(alice, 7, 5000, "+", tags: [["e", notes[4].id.hex]])]
        for event in events { _ = try await store.save(event) }

        let expected: [Kind: Int] = [0: 1, 3: 2, 1: 3, 5: 3, 30000: 2, 7: 1]
        let statistics = try store.statistics()
        #expect(statistics.eventsByKind == expected)
        #expect(statistics.totalEvents == 12)
        var queried: [Kind: Int] = [:]
        for event in try store.queryEvents([Filter()], limit: 1_000_000) { queried[event.kind, default: 0] += 1 }
        #expect(queried == expected)
        for (kind, count) in expected {
            #expect(try store.count([Filter(kinds: [kind])]) == EventCount(count: count, approximate: false))
        }
    }
}
