import NostrCore
import NostrCoreTesting
import Testing

@testable import LMDBStore

// Pure tests of `QueryPlan`: which index a filter uses, which keys, and what is left to check.
// Expected keys are spelled out byte by byte (letter, value code, big-endian kind) rather than
// built with `IndexKeys`, so a change of layout shows up here.

@Suite("Query planner")
struct QueryPlannerTests {
    static let alice = PublicKey(Bytes32(w0: 0xAA, w1: 1, w2: 2, w3: 3))
    static let bob = PublicKey(Bytes32(w0: 0xBB, w1: 1, w2: 2, w3: 3))
    static let carol = PublicKey(Bytes32(w0: 0x0C, w1: 1, w2: 2, w3: 3))
    static let idA = EventID(Bytes32(w0: 0x01, w1: 0, w2: 0, w3: 1))
    static let idB = EventID(Bytes32(w0: 0x02, w1: 0, w2: 0, w3: 2))

    static func kind(_ kind: UInt16) -> [UInt8] { [UInt8(kind >> 8), UInt8(kind & 0xFF)] }
    /// A hex tag value's key prefix: letter, code 1, the 32 bytes.
    static func hexPrefix(_ letter: Character, _ key: PublicKey) -> [UInt8] {
        [letter.asciiValue!, 1] + key.raw.bytes
    }
    /// A short tag value's key prefix: letter, code 2, length, bytes.
    static func verbatimPrefix(_ letter: Character, _ value: String) -> [UInt8] {
        [letter.asciiValue!, 2, UInt8(value.utf8.count)] + Array(value.utf8)
    }
    /// A long tag value's key prefix: letter, code 3, SHA-256 of the value.
    static func hashedPrefix(_ letter: Character, _ value: String) -> [UInt8] {
        let digest = Array(value.utf8).withUnsafeBytes { Bytes32.sha256(of: $0) }
        return [letter.asciiValue!, 3] + digest.bytes
    }

    // MARK: ids

    @Test func idsAreChosenFirst() {
        let filter = Filter(
            ids: [Self.idB, Self.idA, Self.idB], authors: [Self.alice], kinds: [1, 1],
            tags: [TagCondition("p", [Self.bob.hex])], since: 10, until: 20)
        let plan = QueryPlan(filter)
        #expect(plan.source == .ids([Self.idA, Self.idB]))
        #expect(plan.kinds == [1])
        #expect(plan.authors == [Self.alice])
        #expect(plan.needsFullMatch)
        #expect(plan.needsMeta)
        #expect(plan.since == 10 && plan.until == 20)
        #expect(!plan.isEmpty)
    }

    @Test func idsAloneNeedNoFullMatch() {
        let plan = QueryPlan(Filter(ids: [Self.idA]))
        #expect(plan.source == .ids([Self.idA]))
        #expect(plan.kinds == nil && plan.authors == nil)
        #expect(!plan.needsFullMatch)
        #expect(plan.needsMeta)
    }

    // MARK: Tags

    @Test func tagTimesKindsGivesExactKeys() {
        let plan = QueryPlan(Filter(kinds: [3], tags: [TagCondition("p", [Self.alice.hex])]))
        #expect(plan.source == .keys(.byTag, [Self.hexPrefix("p", Self.alice) + Self.kind(3)]))
        #expect(plan.kinds == nil && plan.authors == nil)
        #expect(!plan.needsFullMatch)
        #expect(!plan.needsMeta)
    }

    @Test func tagValuesTimesKindsAreDeduplicatedAndSorted() {
        let filter = Filter(
            kinds: [10002, 3, 3], tags: [TagCondition("p", [Self.bob.hex, Self.alice.hex, Self.bob.hex])])
        let plan = QueryPlan(filter)
        let alice = Self.hexPrefix("p", Self.alice)
        let bob = Self.hexPrefix("p", Self.bob)
        #expect(
            plan.source
                == .keys(
                    .byTag,
                    [alice + Self.kind(3), alice + Self.kind(10002), bob + Self.kind(3), bob + Self.kind(10002)]))
        #expect(!plan.needsFullMatch)
    }

    @Test func tagWithoutKindsUsesPrefixes() {
        let plan = QueryPlan(Filter(tags: [TagCondition("t", ["nostr", "bitcoin"])]))
        #expect(
            plan.source == .prefixes(.byTag, [Self.verbatimPrefix("t", "nostr"), Self.verbatimPrefix("t", "bitcoin")]))
        #expect(plan.kinds == nil)
        #expect(!plan.needsFullMatch)
        #expect(!plan.needsMeta)
    }

    @Test func tagWithFewestValuesIsChosen() {
        let filter = Filter(
            kinds: [1],
            tags: [
                TagCondition("p", [Self.alice.hex, Self.bob.hex, Self.carol.hex]), TagCondition("t", ["nostr"]),
                TagCondition("e", [Self.idA.hex, Self.idB.hex]),
            ])
        let plan = QueryPlan(filter)
        #expect(plan.source == .keys(.byTag, [Self.verbatimPrefix("t", "nostr") + Self.kind(1)]))
        // The other tag conditions are checked on the parsed event.
        #expect(plan.needsFullMatch)
    }

    @Test func tagWithFewestValuesIsChosenWhateverTheLetterOrder() {
        let filter = Filter(
            tags: [TagCondition("a", ["x", "y", "z"]), TagCondition("Z", ["only"]), TagCondition("e", ["1", "2"])])
        #expect(QueryPlan(filter).source == .prefixes(.byTag, [Self.verbatimPrefix("Z", "only")]))
    }

    @Test func tagPlanKeepsAuthorsToCheck() {
        let plan = QueryPlan(
            Filter(authors: [Self.bob, Self.alice], kinds: [3], tags: [TagCondition("p", [Self.carol.hex])]))
        #expect(plan.source == .keys(.byTag, [Self.hexPrefix("p", Self.carol) + Self.kind(3)]))
        #expect(plan.authors == [Self.alice, Self.bob])
        #expect(plan.kinds == nil)
        #expect(plan.needsMeta)
        #expect(!plan.needsFullMatch)
    }

    @Test func tagValueCodes() {
        let exactly200 = String(repeating: "x", count: 200)
        let over200 = String(repeating: "x", count: 201)
        let upperHex = Self.alice.hex.uppercased()
        let plan = QueryPlan(Filter(kinds: [1], tags: [TagCondition("t", [exactly200, upperHex, "", Self.alice.hex])]))
        // Codes sort as bytes: hex (1) before verbatim (2); verbatim by length byte.
        #expect(
            plan.source
                == .keys(
                    .byTag,
                    [
                        Self.hexPrefix("t", Self.alice) + Self.kind(1), Self.verbatimPrefix("t", "") + Self.kind(1),
                        Self.verbatimPrefix("t", upperHex) + Self.kind(1),
                        Self.verbatimPrefix("t", exactly200) + Self.kind(1),
                    ]))
        #expect(!plan.needsFullMatch)

        // Hashed values can collide: every candidate is re-checked.
        let hashed = QueryPlan(Filter(kinds: [1], tags: [TagCondition("t", [over200])]))
        #expect(hashed.source == .keys(.byTag, [Self.hashedPrefix("t", over200) + Self.kind(1)]))
        #expect(hashed.needsFullMatch)
    }

    @Test func tagTimesKindsBeyondTheKeyBudgetFallsBackToPrefixes() {
        let values = (0..<1025).map { "v\($0)" }
        let kinds: [Kind] = [1, 3, 7, 30000]
        #expect(values.count * kinds.count > QueryPlan.maxKeys)
        let plan = QueryPlan(Filter(kinds: kinds, tags: [TagCondition("t", values)]))
        guard case .prefixes(.byTag, let prefixes) = plan.source else {
            Issue.record("expected tag prefixes, got \(plan.source)")
            return
        }
        #expect(prefixes.count == values.count)
        #expect(plan.kinds == Set(kinds))
        #expect(plan.needsMeta)

        let withinBudget = QueryPlan(Filter(kinds: kinds, tags: [TagCondition("t", Array(values.prefix(1024)))]))
        guard case .keys(.byTag, let keys) = withinBudget.source else {
            Issue.record("expected exact tag keys, got \(withinBudget.source)")
            return
        }
        #expect(keys.count == QueryPlan.maxKeys)
        #expect(withinBudget.kinds == nil)
    }

    // MARK: Authors and kinds

    @Test func authorsTimesKindsGivesExactKeys() {
        let plan = QueryPlan(Filter(authors: [Self.bob, Self.alice, Self.bob], kinds: [7, 1, 30000]))
        let alice = Self.alice.raw.bytes
        let bob = Self.bob.raw.bytes
        #expect(
            plan.source
                == .keys(
                    .byPubkeyKind,
                    [
                        alice + Self.kind(1), alice + Self.kind(7), alice + Self.kind(30000), bob + Self.kind(1),
                        bob + Self.kind(7), bob + Self.kind(30000),
                    ]))
        #expect(plan.kinds == nil && plan.authors == nil)
        #expect(!plan.needsMeta)
        #expect(!plan.needsFullMatch)
    }

    @Test func authorsTimesReplaceableKindsUsePointLookups() {
        let plan = QueryPlan(Filter(authors: [Self.bob, Self.alice, Self.bob], kinds: [3, 0, 10002]))
        // pubkey(32) + kind(2) + the code of an empty d: verbatim, length 0.
        func address(_ kind: UInt16, _ author: PublicKey) -> [UInt8] { author.raw.bytes + Self.kind(kind) + [2, 0] }
        let expected = [Self.alice, Self.bob].flatMap { author in [0, 3, 10002].map { address($0, author) } }
            .sorted { $0.lexicographicallyPrecedes($1) }
        #expect(plan.source == .addresses(expected))
        #expect(plan.kinds == nil && plan.authors == nil)
        #expect(!plan.needsFullMatch)
        // One addressable kind among them: back to index keys.
        guard case .keys(.byPubkeyKind, _) = QueryPlan(Filter(authors: [Self.bob], kinds: [0, 30000])).source else {
            Issue.record("a mix with an addressable kind must use byPubkeyKind")
            return
        }
    }

    @Test func authorsOnlyGivesPrefixes() {
        let plan = QueryPlan(Filter(authors: [Self.bob, Self.carol, Self.alice]))
        #expect(
            plan.source == .prefixes(.byPubkeyKind, [Self.carol.raw.bytes, Self.alice.raw.bytes, Self.bob.raw.bytes]))
        #expect(plan.kinds == nil && plan.authors == nil)
        #expect(!plan.needsMeta)
        #expect(!plan.needsFullMatch)
    }

    @Test func authorsTimesKindsBeyondTheKeyBudgetFallsBackToPrefixes() {
        let authors = (0..<2049).map { PublicKey(Bytes32(w0: UInt64($0), w1: 0, w2: 0, w3: 0)) }
        let plan = QueryPlan(Filter(authors: authors, kinds: [0, 3]))
        guard case .prefixes(.byPubkeyKind, let prefixes) = plan.source else {
            Issue.record("expected author prefixes, got \(plan.source)")
            return
        }
        #expect(prefixes == authors.map(\.raw.bytes))
        #expect(plan.kinds == [0, 3])
        #expect(plan.needsMeta)
    }

    @Test func kindsOnly() {
        let plan = QueryPlan(Filter(kinds: [30000, 0, 3, 0]))
        #expect(plan.source == .keys(.byKind, [Self.kind(0), Self.kind(3), Self.kind(30000)]))
        #expect(plan.kinds == nil && plan.authors == nil)
        #expect(!plan.needsMeta)
        #expect(!plan.needsFullMatch)
    }

    @Test func emptyFilterScansCreatedAt() {
        let plan = QueryPlan(Filter())
        #expect(plan.source == .keys(.byCreatedAt, [[0]]))
        #expect(plan.since == 0 && plan.until == .max)
        #expect(plan.kinds == nil && plan.authors == nil)
        #expect(!plan.isEmpty)
        #expect(!plan.needsMeta)
        #expect(!plan.needsFullMatch)
        #expect(QueryPlan(Filter(since: 5, until: 9, limit: 3)).source == .keys(.byCreatedAt, [[0]]))
    }

    @Test func searchNeedsFullMatch() {
        #expect(QueryPlan(Filter(search: "nostr")).needsFullMatch)
        #expect(QueryPlan(Filter(kinds: [1], search: "nostr")).needsFullMatch)
        #expect(QueryPlan(Filter(authors: [Self.alice], kinds: [1], search: "nostr")).needsFullMatch)
    }

    // MARK: Unsatisfiable filters and time bounds

    @Test(
        "unsatisfiable filters are empty",
        arguments: [
            Filter(ids: []), Filter(authors: []), Filter(kinds: []), Filter(tags: [TagCondition("p", [])]),
            Filter(kinds: [1], tags: [TagCondition("t", ["x"]), TagCondition("p", [])]),
            Filter(since: 11, until: 10), Filter(ids: [idA], since: 200, until: 100),
            Filter(authors: [alice], kinds: []), Filter(authors: [], kinds: [1]),
        ])
    func unsatisfiable(_ filter: Filter) {
        #expect(QueryPlan(filter).isEmpty, "\(filter.jsonString)")
    }

    @Test(
        "satisfiable filters are not empty",
        arguments: [
            Filter(), Filter(since: 10, until: 10), Filter(limit: 0), Filter(tags: [TagCondition("t", [""])]),
            Filter(ids: [idA]), Filter(since: -5, until: -5),
        ])
    func satisfiable(_ filter: Filter) {
        #expect(!QueryPlan(filter).isEmpty, "\(filter.jsonString)")
    }

    @Test func sinceAndUntilAreMapped() {
        let plan = QueryPlan(Filter(since: 1_700_000_000, until: 1_700_000_100))
        #expect(plan.since == 1_700_000_000)
        #expect(plan.until == 1_700_000_100)
        let open = QueryPlan(Filter(kinds: [1]))
        #expect(open.since == 0 && open.until == .max)
        let negative = QueryPlan(Filter(since: -10, until: -1))
        #expect(negative.since == 0 && negative.until == 0)
        let onlySince = QueryPlan(Filter(authors: [Self.alice], since: 42))
        #expect(onlySince.since == 42 && onlySince.until == .max)
        let onlyUntil = QueryPlan(Filter(tags: [TagCondition("t", ["x"])], until: 42))
        #expect(onlyUntil.since == 0 && onlyUntil.until == 42)
    }
}
