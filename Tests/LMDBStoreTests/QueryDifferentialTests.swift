import LMDBStore
import LMDBStoreTesting
import NostrCore
import NostrCoreTesting
import Testing

// Differential tests: random corpora and random filters, the store's answers against the
// reference semantics (`Filter.matches`, NIP-01 order, per-filter limits, union without
// duplicates). Every failure message names the seed; rerun one seed by editing `seeds`.

/// A seeded random corpus and the pools its tags draw from.
struct DifferentialCorpus {
    static let base: Int64 = 1_700_000_000
    /// `created_at` spans only this many seconds, so ties are frequent.
    static let span: Int64 = 150

    let seed: UInt64
    let keys: [KeyPair]
    /// Every generated event, including versions replaced or refused.
    let events: [Event]
    let pValues: [String]
    let eValues: [String]
    let tValues: [String]
    let upperTValues: [String]
    let dValues: [String]
    /// Expiration times given to events (empty when the corpus has none).
    let withExpirations: Bool

    init(seed: UInt64, count: Int, withExpirations: Bool) {
        self.seed = seed
        self.withExpirations = withExpirations
        var random = SeededGenerator(seed: seed)
        var keys: [KeyPair] = []
        while keys.count < 20 {
            let raw = Bytes32(w0: random.next(), w1: random.next(), w2: random.next(), w3: random.next())
            if let secret = SecretKey(raw) { keys.append(KeyPair(secretKey: secret)) }
        }
        self.keys = keys
        func long(_ label: String, _ length: Int) -> String {
            String(String(repeating: "\(label)-long-value-", count: length / 10 + 2).prefix(length))
        }
        // Verbatim up to 200 bytes, hashed beyond: both sides of the boundary, several long values.
        let longValues = [long("a", 200), long("a", 201), long("b", 300), long("c", 1000), long("b", 301)]
        let randomHex = (0..<4).map { _ in
            Bytes32(w0: random.next(), w1: random.next(), w2: random.next(), w3: random.next()).hex
        }
        pValues = keys.map(\.publicKey.hex) + randomHex + [randomHex[0].uppercased(), "npub-ish", ""]
        tValues =
            ["nostr", "Nostr", "NOSTR", "bitcoin", "swift", "relay", "a", "b", "", "café", "quote\"s", "back\\slash"]
            + longValues + [randomHex[1], randomHex[2].uppercased()]
        upperTValues = ["Nostr", "nostr", "X", "topic", long("T", 250)]
        dValues = ["", "follows", "mutes", "a", "A", "list-1", "list-2", randomHex[3], long("d", 220)]

        var events: [Event] = []
        var eValues: [String] = randomHex
        let kinds: [(Kind, Int)] = [(1, 40), (7, 12), (0, 6), (3, 6), (10002, 6), (30000, 18), (40, 4), (10000, 3)]
        let totalWeight = kinds.reduce(0) { $0 + $1.1 }
        func pick<T>(_ values: [T]) -> T { values[Int(random.next() % UInt64(values.count))] }
        func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }
        for index in 0..<count {
            var roll = Int(random.next() % UInt64(totalWeight))
            var kind: Kind = 1
            for (candidate, weight) in kinds {
                if roll < weight {
                    kind = candidate
                    break
                }
                roll -= weight
            }
            let author = pick(keys)
            let createdAt = DifferentialCorpus.base + Int64(random.next() % UInt64(DifferentialCorpus.span))
            var tags: [[String]] = []
            if kind.storageClass == .addressable && chance(90) { tags.append(["d", pick(dValues)]) }
            for _ in 0..<Int(random.next() % 6) {
                switch random.next() % 10 {
                case 0, 1, 2:
                    tags.append(chance(20) ? ["p", pick(pValues), "wss://relay.example"] : ["p", pick(pValues)])
                case 3, 4: tags.append(["e", eValues.isEmpty ? pick(randomHex) : pick(eValues)])
                case 5, 6: tags.append(["t", pick(tValues)])
                case 7: tags.append(["T", pick(upperTValues)])
                case 8: tags.append(["d", pick(dValues)])
                default:
                    // Tags no filter can reach: long names, name only, another value position.
                    tags.append(pick([["pp", pick(pValues)], ["t"], ["title", pick(tValues)], ["x", "1", "nostr"]]))
                }
            }
            if chance(5), let first = tags.first { tags.append(first) }
            if withExpirations && chance(15) {
                // Some already past when saved (refused), some passing once the clock moves, some later.
                let offset = Int64(random.next() % 400) - 100
                tags.append(["expiration", "\(DifferentialCorpus.base + DifferentialCorpus.span + offset)"])
            }
            let content = "event \(index) \(random.next() % 1000)"
            let aux = Bytes32(w0: random.next(), w1: 0, w2: 0, w3: 0)
            let event = author.sign(
                kind: kind, tags: tags, content: content, createdAt: createdAt, auxiliaryRandom: aux)
            events.append(event)
            if chance(50) { eValues.append(event.id.hex) }
        }
        self.events = events
        self.eValues = eValues
    }

    /// The time events are saved at (some expirations are already past) and the time queries run at.
    static let saveTime = base + span
    static let queryTime = base + span + 100

    /// What the store must keep, computed without the store: refused expired events out, then the
    /// newest version (lowest id on ties) per replaceable or addressable address.
    func modelSurvivors() -> Set<EventID> {
        var regular = Set<EventID>()
        var latest: [EventAddress: Event] = [:]
        for event in events {
            if let expiration = event.expiration, expiration <= DifferentialCorpus.saveTime { continue }
            if let address = event.address {
                if let current = latest[address], !event.supersedes(current) { continue }
                latest[address] = event
            } else {
                regular.insert(event.id)
            }
        }
        return regular.union(latest.values.map(\.id))
    }
}

/// The store's configuration in these tests.
enum DifferentialLimits {
    static let defaultLimit = 120
    static let maxLimit = 900
}

/// Reference answers over the visible events (sorted newest first, lowest id first on ties).
struct Reference {
    let visible: [Event]

    static func order(_ events: [Event]) -> [Event] {
        events.sorted { ($0.createdAt, $1.id) > ($1.createdAt, $0.id) }
    }

    func limit(of filter: Filter) -> Int {
        min(filter.limit ?? DifferentialLimits.defaultLimit, DifferentialLimits.maxLimit)
    }

    func query(_ filter: Filter) -> [Event] {
        Array(visible.lazy.filter { filter.matches($0) }.prefix(limit(of: filter)))
    }

    func query(_ filters: [Filter]) -> [Event] {
        var seen = Set<EventID>()
        var union: [Event] = []
        for filter in filters {
            for event in query(filter) where seen.insert(event.id).inserted { union.append(event) }
        }
        return Reference.order(union)
    }

    func count(_ filters: [Filter]) -> Int {
        visible.reduce(0) { total, event in total + (filters.contains { $0.matches(event) } ? 1 : 0) }
    }
}

/// Random filters drawn mostly from values the corpus uses.
struct FilterGenerator {
    let corpus: DifferentialCorpus
    var random: SeededGenerator

    init(corpus: DifferentialCorpus, seed: UInt64) {
        self.corpus = corpus
        random = SeededGenerator(seed: seed)
    }

    mutating func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }
    mutating func number(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(random.next() % UInt64(range.count))
    }
    mutating func pick<T>(_ values: [T]) -> T { values[number(0...values.count - 1)] }
    mutating func some<T>(_ values: [T], max: Int) -> [T] {
        if chance(3) { return [] }
        return (0..<number(1...max)).map { _ in pick(values) }
    }

    mutating func filter() -> Filter {
        var filter = Filter()
        if chance(8) {
            var ids = some(corpus.events.map(\.id), max: 6)
            if chance(30) { ids.append(EventID(Bytes32(w0: random.next(), w1: 1, w2: 2, w3: 3))) }
            filter.ids = ids
        }
        if chance(35) {
            var authors = chance(5) ? corpus.keys.map(\.publicKey) : some(corpus.keys.map(\.publicKey), max: 4)
            if chance(10) { authors.append(PublicKey(Bytes32(w0: random.next(), w1: 9, w2: 9, w3: 9))) }
            filter.authors = authors
        }
        if chance(45) { filter.kinds = some([0, 1, 3, 5, 7, 40, 10000, 10002, 30000, 2, 20000], max: 3) }
        var tags: [TagCondition] = []
        if chance(20) { tags.append(TagCondition("p", some(corpus.pValues, max: 3))) }
        if chance(12) { tags.append(TagCondition("e", some(corpus.eValues, max: 4))) }
        if chance(18) { tags.append(TagCondition("t", some(corpus.tValues, max: 3))) }
        if chance(10) { tags.append(TagCondition("T", some(corpus.upperTValues, max: 2))) }
        if chance(12) { tags.append(TagCondition("d", some(corpus.dValues, max: 3))) }
        if chance(2) {
            // Wider than the planner's key budget once multiplied by kinds.
            let many = (0..<1500).map { _ in Bytes32(w0: random.next(), w1: 0, w2: 0, w3: 0).hex }
            tags.append(TagCondition("p", many + corpus.pValues))
            if filter.kinds == nil { filter.kinds = [1, 3, 7] }
        }
        if chance(2) { tags.append(TagCondition("x", ["1"])) }
        // One condition per letter.
        var letters = Set<UInt8>()
        filter.tags = tags.filter { letters.insert($0.letter).inserted }.sorted { $0.letter < $1.letter }
        let low = DifferentialCorpus.base - 5
        let high = DifferentialCorpus.base + DifferentialCorpus.span + 5
        if chance(25) { filter.since = Int64(number(Int(low)...Int(high))) }
        if chance(25) { filter.until = Int64(number(Int(low)...Int(high))) }
        if chance(3) {
            filter.since = Int64(number(Int(low)...Int(high)))
            filter.until = filter.since! - Int64(number(1...20))
        }
        if chance(55) {
            switch random.next() % 5 {
            case 0: filter.limit = number(0...3)
            case 1: filter.limit = number(1...20)
            case 2: filter.limit = number(20...300)
            case 3: filter.limit = number(300...2000)
            default: filter.limit = DifferentialLimits.defaultLimit
            }
        }
        return filter
    }
}

@Suite("Query differential against Filter.matches")
struct QueryDifferentialTests {
    static let seeds: [(seed: UInt64, expirations: Bool)] = [(0xD1FF_0001, false), (0xD1FF_0002, true)]
    /// Generated (and signed) once, shared by the tests.
    static let corpora: [DifferentialCorpus] = seeds.map {
        DifferentialCorpus(seed: $0.seed, count: 2000, withExpirations: $0.expirations)
    }

    /// Builds the corpus, saves it in shuffled batches, and returns the store with its reference.
    static func prepare(
        _ index: Int
    ) async throws -> (TemporaryStore, DifferentialCorpus, Reference, ManualClock) {
        let corpus = corpora[index]
        let (seed, withExpirations) = (corpus.seed, corpus.withExpirations)
        let clock = ManualClock(DifferentialCorpus.saveTime)
        let temporary = try TemporaryStore { config in
            config.clock = { clock.now }
            config.defaultLimit = DifferentialLimits.defaultLimit
            config.maxLimit = DifferentialLimits.maxLimit
        }
        var random = SeededGenerator(seed: seed ^ 0x5A5A)
        var shuffled = corpus.events
        shuffled.shuffle(using: &random)
        var start = 0
        while start < shuffled.count {
            let end = min(start + 300, shuffled.count)
            _ = try await temporary.store.save(Array(shuffled[start..<end]))
            start = end
        }
        clock.set(DifferentialCorpus.queryTime)
        var stored: [Event] = []
        try temporary.store.scanAll {
            stored.append(try Event(json: Array($0.json))); return true
        }
        let storedIDs = Set(stored.map(\.id))
        let model = corpus.modelSurvivors()
        #expect(
            storedIDs == model,
            "seed \(seed): stored set differs from the replacement model: \(storedIDs.symmetricDifference(model).count) ids"
        )
        let visible = stored.filter { event in event.expiration.map { $0 > DifferentialCorpus.queryTime } ?? true }
        if withExpirations {
            #expect(
                visible.count < stored.count, "seed \(seed): the corpus should hold events that expired after saving")
        }
        return (temporary, corpus, Reference(visible: Reference.order(visible)), clock)
    }

    static func describe(_ ids: [EventID], _ reference: Reference) -> String {
        let lookup = Dictionary(uniqueKeysWithValues: reference.visible.map { ($0.id, $0) })
        return ids.prefix(12).map { id in
            lookup[id].map { "\($0.createdAt)/\($0.id.hex.prefix(6))" } ?? "?\(id.hex.prefix(6))"
        }.joined(separator: " ") + (ids.count > 12 ? " … (\(ids.count))" : "")
    }

    /// A filter's JSON, shortened for failure messages.
    static func short(_ filters: [Filter]) -> String {
        filters.map { filter in
            let json = filter.jsonString
            return json.count > 300 ? json.prefix(300) + "…(\(json.count) chars)" : json
        }.joined(separator: ", ")
    }

    static func check(
        _ filters: [Filter], store: EventStore, reference: Reference, seed: UInt64, failures: inout Int
    ) throws {
        let expected = (filters.count == 1 ? reference.query(filters[0]) : reference.query(filters)).map(\.id)
        let actual = try store.queryEvents(filters).map(\.id)
        if actual != expected {
            failures += 1
            if failures <= 5 {
                Issue.record(
                    """
                    seed \(seed): query [\(short(filters))] returned \(actual.count) events, expected \(expected.count) \
                    (\(Set(expected).subtracting(actual).count) missing, \(Set(actual).subtracting(expected).count) unexpected, \
                    \(actual.count - Set(actual).count) repeated)
                      got:      \(describe(actual, reference))
                      expected: \(describe(expected, reference))
                    """)
            }
        }
    }

    @Test func eventMatchingSeveralValuesCountsOnceTowardTheLimit() async throws {
        let temporary = try TemporaryStore()
        let keys = WriteFixtures.alice
        let both = WriteFixtures.event(keys, 1, 100, "both", tags: [["t", "a"], ["t", "b"]])
        let onlyA = WriteFixtures.event(keys, 1, 99, "only a", tags: [["t", "a"]])
        _ = try await temporary.store.save([both, onlyA])
        let filter = Filter(tags: [TagCondition("t", ["a", "b"])], limit: 2)
        #expect(try temporary.store.queryEvents([filter]).map(\.id) == [both.id, onlyA.id])
        let pFilter = Filter(kinds: [1], tags: [TagCondition("t", ["a", "b"])], limit: 2)
        #expect(try temporary.store.queryEvents([pFilter]).map(\.id) == [both.id, onlyA.id])
        #expect(try temporary.store.count([filter]) == EventCount(count: 2, approximate: false))
    }

    @Test("single filters", arguments: [0, 1])
    func singleFilters(_ index: Int) async throws {
        let (temporary, corpus, reference, _) = try await Self.prepare(index)
        let seed = corpus.seed
        var generator = FilterGenerator(corpus: corpus, seed: seed &+ 1)
        var failures = 0
        // Fixed shapes first, then random ones.
        var filters: [Filter] = [
            Filter(), Filter(limit: 0), Filter(limit: 1), Filter(limit: 5000), Filter(kinds: [1]),
            Filter(kinds: [30000], tags: [TagCondition("d", [""])]), Filter(tags: [TagCondition("t", ["nostr"])]),
            Filter(kinds: [3], tags: [TagCondition("p", [corpus.keys[0].publicKey.hex])]),
            Filter(authors: [corpus.keys[1].publicKey]), Filter(authors: [corpus.keys[1].publicKey], kinds: [0, 3]),
            Filter(since: DifferentialCorpus.base + 10, until: DifferentialCorpus.base + 10),
            Filter(ids: Array(corpus.events.prefix(50).map(\.id)), limit: 10),
            Filter(until: -1), Filter(since: .max), Filter(until: .max), Filter(kinds: [1], since: 0, until: .max),
            Filter(kinds: [1, 7], until: DifferentialCorpus.base + 20, limit: 1000),
        ]
        for _ in 0..<1500 { filters.append(generator.filter()) }
        for filter in filters {
            try Self.check([filter], store: temporary.store, reference: reference, seed: seed, failures: &failures)
        }
        #expect(failures == 0, "seed \(seed): \(failures) of \(filters.count) single-filter queries differ")
    }

    @Test("several filters, union and per-filter limits", arguments: [0, 1])
    func multipleFilters(_ index: Int) async throws {
        let (temporary, corpus, reference, _) = try await Self.prepare(index)
        let seed = corpus.seed
        var generator = FilterGenerator(corpus: corpus, seed: seed &+ 2)
        var failures = 0
        let rounds = 400
        for round in 0..<rounds {
            var filters = (0..<generator.number(2...3)).map { _ in generator.filter() }
            // Overlapping filters make duplicates likely.
            if round % 4 == 0 { filters.append(filters[0]) }
            if round % 5 == 0 {
                var narrower = filters[0]
                narrower.limit = generator.number(1...10)
                filters.append(narrower)
            }
            try Self.check(filters, store: temporary.store, reference: reference, seed: seed, failures: &failures)
            if round % 3 == 0 {
                // `limit:` caps the merged answer, after the per-filter limits.
                let total = generator.number(0...150)
                let expected = Array(reference.query(filters).prefix(total)).map(\.id)
                let actual = try temporary.store.queryEvents(filters, limit: total).map(\.id)
                if actual != expected {
                    failures += 1
                    Issue.record(
                        "seed \(seed): query [\(Self.short(filters))] with limit: \(total) returned \(actual.count) events, expected \(expected.count)"
                    )
                }
            }
        }
        #expect(failures == 0, "seed \(seed): \(failures) of \(rounds) multi-filter queries differ")
    }

    @Test("count is exact", arguments: [0, 1])
    func counts(_ index: Int) async throws {
        let (temporary, corpus, reference, _) = try await Self.prepare(index)
        let seed = corpus.seed
        var generator = FilterGenerator(corpus: corpus, seed: seed &+ 3)
        var failures = 0
        var cases: [[Filter]] = [
            [Filter()], [Filter(kinds: [1])], [Filter(kinds: [0, 3, 10002])],
            [Filter(kinds: [3], tags: [TagCondition("p", [corpus.keys[0].publicKey.hex])])],
            [Filter(kinds: [1, 7], tags: [TagCondition("p", [corpus.keys[2].publicKey.hex])])],
            [Filter(authors: corpus.keys.prefix(5).map(\.publicKey), kinds: [1, 30000])],
            [Filter(tags: [TagCondition("t", corpus.tValues)])], [Filter(kinds: [1]), Filter(kinds: [1, 7])],
        ]
        for round in 0..<600 {
            cases.append((0..<(round % 3 == 0 ? generator.number(2...3) : 1)).map { _ in generator.filter() })
        }
        for filters in cases {
            let expected = EventCount(count: reference.count(filters), approximate: false)
            let actual = try temporary.store.count(filters)
            if actual != expected {
                failures += 1
                if failures <= 5 {
                    Issue.record(
                        "seed \(seed): count [\(Self.short(filters))] = \(actual.count) (approximate: \(actual.approximate)), expected \(expected.count)"
                    )
                }
            }
        }
        #expect(failures == 0, "seed \(seed): \(failures) of \(cases.count) counts differ")
    }
}
