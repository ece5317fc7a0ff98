import NostrCore
import NostrCoreTesting
import Testing

// MARK: Fixtures

private func fixedKeyPair(_ last: String) -> KeyPair {
    KeyPair(secretKey: SecretKey(hex: String(repeating: "0", count: 64 - last.count) + last)!)
}

private let alice = fixedKeyPair("a1")
private let bob = fixedKeyPair("b0b")
private let carol = fixedKeyPair("ca401")

/// 64 copies of one hex digit: a well-formed id or pubkey that belongs to nothing.
private func hex64(_ digit: Character) -> String { String(repeating: digit, count: 64) }

private let hexA = hex64("a")
private let hexB = hex64("b")
private let hexC = hex64("c")
private let hexE = hex64("e")
private let hexF = hex64("f")

/// The event most truth tables run against (kind 1, alice, created_at 1000).
private let tagged: Event = alice.sign(
    kind: 1,
    tags: [
        ["p", hexA, "wss://relay.example.com"],
        ["e", hexE, hexF],
        ["t", "nostr"],
        ["T", "Upper"],
        ["pp", hexB],
        ["p"],
        ["d", "", "ignored"],
    ],
    content: "Hello Nostr World, zaps ⚡ and ÉCOLE", createdAt: 1000)

/// An event with no tags at all (kind 3, bob, created_at 2000).
private let bare: Event = bob.sign(kind: 3, tags: [[String]](), content: "", createdAt: 2000)

struct FilterMatchCase: Sendable, CustomTestStringConvertible {
    var name: String
    var filter: Filter
    var expected: Bool
    var testDescription: String { name }

    init(_ name: String, _ filter: Filter, _ expected: Bool) {
        self.name = name
        self.filter = filter
        self.expected = expected
    }
}

// MARK: Truth tables

private let idCases: [FilterMatchCase] = [
    FilterMatchCase("ids absent", Filter(), true),
    FilterMatchCase("ids = [own id]", Filter(ids: [tagged.id]), true),
    FilterMatchCase("ids = [other id]", Filter(ids: [bare.id]), false),
    FilterMatchCase("ids = [other, own]", Filter(ids: [bare.id, tagged.id]), true),
    FilterMatchCase("ids = [] matches nothing", Filter(ids: []), false),
    FilterMatchCase("ids = [pubkey as id]", Filter(ids: [EventID(tagged.pubkey.raw)]), false),
]

private let authorCases: [FilterMatchCase] = [
    FilterMatchCase("authors absent", Filter(), true),
    FilterMatchCase("authors = [alice]", Filter(authors: [alice.publicKey]), true),
    FilterMatchCase("authors = [bob]", Filter(authors: [bob.publicKey]), false),
    FilterMatchCase(
        "authors = [bob, carol, alice]", Filter(authors: [bob.publicKey, carol.publicKey, alice.publicKey]), true),
    FilterMatchCase("authors = [] matches nothing", Filter(authors: []), false),
    FilterMatchCase("authors = [own id as pubkey]", Filter(authors: [PublicKey(tagged.id.raw)]), false),
]

private let kindCases: [FilterMatchCase] = [
    FilterMatchCase("kinds absent", Filter(), true),
    FilterMatchCase("kinds = [1]", Filter(kinds: [1]), true),
    FilterMatchCase("kinds = [0]", Filter(kinds: [0]), false),
    FilterMatchCase("kinds = [0, 3, 1]", Filter(kinds: [0, 3, 1]), true),
    FilterMatchCase("kinds = [1, 1] (duplicates)", Filter(kinds: [1, 1]), true),
    FilterMatchCase("kinds = [65535]", Filter(kinds: [65535]), false),
    FilterMatchCase("kinds = [] matches nothing", Filter(kinds: []), false),
]

private let tagCases: [FilterMatchCase] = [
    FilterMatchCase("#p first value", Filter(tags: [TagCondition("p", [hexA])]), true),
    FilterMatchCase("#p other value", Filter(tags: [TagCondition("p", [hexC])]), false),
    FilterMatchCase(
        "#p second element (relay hint) does not count",
        Filter(tags: [TagCondition("p", ["wss://relay.example.com"])]), false),
    FilterMatchCase("#p does not match a tag named pp", Filter(tags: [TagCondition("p", [hexB])]), false),
    FilterMatchCase("#p [\"\"] does not match a value-less [\"p\"]", Filter(tags: [TagCondition("p", [""])]), false),
    FilterMatchCase("#p values OR", Filter(tags: [TagCondition("p", [hexC, hexB, hexA])]), true),
    FilterMatchCase("#p [] matches nothing", Filter(tags: [TagCondition("p", [])]), false),
    FilterMatchCase("#e first value", Filter(tags: [TagCondition("e", [hexE])]), true),
    FilterMatchCase("#e second value does not count", Filter(tags: [TagCondition("e", [hexF])]), false),
    FilterMatchCase("#t lowercase value", Filter(tags: [TagCondition("t", ["nostr"])]), true),
    FilterMatchCase("#t values are case-sensitive", Filter(tags: [TagCondition("t", ["Nostr", "NOSTR"])]), false),
    FilterMatchCase("#t does not see a T tag", Filter(tags: [TagCondition("t", ["Upper"])]), false),
    FilterMatchCase("#T sees the T tag", Filter(tags: [TagCondition("T", ["Upper"])]), true),
    FilterMatchCase("#T does not see a t tag", Filter(tags: [TagCondition("T", ["nostr"])]), false),
    FilterMatchCase("#d with an empty first value", Filter(tags: [TagCondition("d", [""])]), true),
    FilterMatchCase("#d second element does not count", Filter(tags: [TagCondition("d", ["ignored"])]), false),
    FilterMatchCase("#x absent tag", Filter(tags: [TagCondition("x", ["nostr"])]), false),
    FilterMatchCase(
        "#p and #t both hold (AND)",
        Filter(tags: [TagCondition("p", [hexA]), TagCondition("t", ["nostr"])]), true),
    FilterMatchCase(
        "#p holds, #t fails (AND)",
        Filter(tags: [TagCondition("p", [hexA]), TagCondition("t", ["bitcoin"])]), false),
    FilterMatchCase(
        "#t holds, #e fails (AND)",
        Filter(tags: [TagCondition("t", ["nostr"]), TagCondition("e", [hexA])]), false),
    FilterMatchCase(
        "#p, #e, #t, #T all hold",
        Filter(tags: [
            TagCondition("T", ["Upper"]), TagCondition("p", [hexA]),
            TagCondition("e", [hexE]), TagCondition("t", ["x", "nostr"]),
        ]), true),
    FilterMatchCase(
        "#p [] with a matching #t still matches nothing",
        Filter(tags: [TagCondition("p", []), TagCondition("t", ["nostr"])]), false),
]

/// `tagged` was created at 1000.
private let timeCases: [FilterMatchCase] = [
    FilterMatchCase("since 999", Filter(since: 999), true),
    FilterMatchCase("since == created_at", Filter(since: 1000), true),
    FilterMatchCase("since 1001", Filter(since: 1001), false),
    FilterMatchCase("until 1001", Filter(until: 1001), true),
    FilterMatchCase("until == created_at", Filter(until: 1000), true),
    FilterMatchCase("until 999", Filter(until: 999), false),
    FilterMatchCase("since == until == created_at", Filter(since: 1000, until: 1000), true),
    FilterMatchCase("since 0, until Int64.max", Filter(since: 0, until: .max), true),
    FilterMatchCase("since > until around created_at", Filter(since: 1001, until: 999), false),
    FilterMatchCase("since > until, both equal-ish", Filter(since: 1000, until: 999), false),
    FilterMatchCase("since 999, until 999", Filter(since: 999, until: 999), false),
]

/// `tagged` has content "Hello Nostr World, zaps ⚡ and ÉCOLE".
private let searchCases: [FilterMatchCase] = [
    FilterMatchCase("one word", Filter(search: "hello"), true),
    FilterMatchCase("upper-case query", Filter(search: "HELLO"), true),
    FilterMatchCase("mixed-case query", Filter(search: "nOsTr"), true),
    FilterMatchCase("non-ASCII case folding", Filter(search: "école"), true),
    FilterMatchCase("two words, any order", Filter(search: "world hello"), true),
    FilterMatchCase("substring of a word", Filter(search: "wor"), true),
    FilterMatchCase("punctuation kept with the word", Filter(search: "world,"), true),
    FilterMatchCase("emoji term", Filter(search: "⚡"), true),
    FilterMatchCase("extra whitespace", Filter(search: "  hello \t  world  "), true),
    FilterMatchCase("one term missing (AND)", Filter(search: "hello bitcoin"), false),
    FilterMatchCase("missing word", Filter(search: "bitcoin"), false),
    FilterMatchCase("extension ignored", Filter(search: "lang:en hello"), true),
    FilterMatchCase("extension does not rescue a missing term", Filter(search: "include:spam bitcoin"), false),
    FilterMatchCase("extensions only match everything", Filter(search: "lang:en nsfw:false"), true),
    FilterMatchCase("empty search matches everything", Filter(search: ""), true),
    FilterMatchCase("whitespace-only search matches everything", Filter(search: "   "), true),
]

private let combinationCases: [FilterMatchCase] = [
    FilterMatchCase(
        "kind, author, tag, time, search all hold",
        Filter(
            authors: [alice.publicKey], kinds: [1], tags: [TagCondition("p", [hexA])], since: 1000,
            until: 1000, search: "zaps"), true),
    FilterMatchCase(
        "everything holds but the kind",
        Filter(authors: [alice.publicKey], kinds: [7], tags: [TagCondition("p", [hexA])], since: 1000),
        false),
    FilterMatchCase(
        "everything holds but the author",
        Filter(authors: [bob.publicKey], kinds: [1], tags: [TagCondition("p", [hexA])]), false),
    FilterMatchCase(
        "everything holds but the tag",
        Filter(authors: [alice.publicKey], kinds: [1], tags: [TagCondition("p", [hexC])]), false),
    FilterMatchCase(
        "everything holds but since",
        Filter(ids: [tagged.id], kinds: [1], since: 1001), false),
    FilterMatchCase(
        "everything holds but search",
        Filter(ids: [tagged.id], authors: [alice.publicKey], search: "goodbye"), false),
    FilterMatchCase(
        "id holds, author empty list",
        Filter(ids: [tagged.id], authors: []), false),
    FilterMatchCase("limit plays no part", Filter(ids: [tagged.id], limit: 0), true),
]

@Suite struct FilterMatchingTests {
    @Test(arguments: idCases) func ids(_ test: FilterMatchCase) {
        #expect(test.filter.matches(tagged) == test.expected)
    }

    @Test(arguments: authorCases) func authors(_ test: FilterMatchCase) {
        #expect(test.filter.matches(tagged) == test.expected)
    }

    @Test(arguments: kindCases) func kinds(_ test: FilterMatchCase) {
        #expect(test.filter.matches(tagged) == test.expected)
    }

    @Test(arguments: tagCases) func tags(_ test: FilterMatchCase) {
        #expect(test.filter.matches(tagged) == test.expected)
    }

    @Test(arguments: timeCases) func sinceAndUntil(_ test: FilterMatchCase) {
        #expect(test.filter.matches(tagged) == test.expected)
    }

    @Test(arguments: searchCases) func search(_ test: FilterMatchCase) {
        #expect(test.filter.matches(tagged) == test.expected)
    }

    @Test(arguments: combinationCases) func combinations(_ test: FilterMatchCase) {
        #expect(test.filter.matches(tagged) == test.expected)
    }

    @Test func tagConditionsNeverMatchAnEventWithoutTags() {
        for letter in ["p", "e", "t", "T", "d"] {
            let filter = Filter(tags: [TagCondition(Character(letter), [hexA, "nostr", ""])])
            #expect(!filter.matches(bare), "#\(letter)")
        }
    }

    @Test func valuelessTagsNeverMatchButEmptyValuesDo() {
        let onlyName = carol.sign(kind: 1, tags: [["p"], ["t"]], content: "", createdAt: 5)
        let emptyValue = carol.sign(kind: 1, tags: [["p", ""]], content: "", createdAt: 5)
        #expect(!Filter(tags: [TagCondition("p", [""])]).matches(onlyName))
        #expect(!Filter(tags: [TagCondition("t", [""])]).matches(onlyName))
        #expect(Filter(tags: [TagCondition("p", [""])]).matches(emptyValue))
    }

    @Test func multiLetterTagNamesNeverMatch() {
        let event = carol.sign(
            kind: 1, tags: [["pp", hexA], ["P", hexA], ["", hexA], ["p ", hexA]], content: "",
            createdAt: 5)
        #expect(!Filter(tags: [TagCondition("p", [hexA])]).matches(event))
        #expect(Filter(tags: [TagCondition("P", [hexA])]).matches(event))
    }

    @Test func anyTagWithTheLetterCanMatch() {
        let event = carol.sign(
            kind: 1, tags: [["p", hexA], ["t", "x"], ["p", hexB], ["p", hexC, "hint"]],
            content: "", createdAt: 5)
        #expect(Filter(tags: [TagCondition("p", [hexB])]).matches(event))
        #expect(Filter(tags: [TagCondition("p", [hexC])]).matches(event))
        #expect(!Filter(tags: [TagCondition("p", ["hint"])]).matches(event))
    }

    @Test func emptyFilterMatchesEverything() throws {
        let filter = try Filter(json: "{}")
        #expect(filter == Filter())
        let events = [
            tagged, bare,
            carol.sign(kind: 0, tags: [[String]](), content: "{}", createdAt: 0),
            carol.sign(kind: 65535, tags: [["x"]], content: "", createdAt: .max),
            carol.sign(kind: 30000, tags: [["d", "list"]], content: "", createdAt: 1),
        ]
        for event in events { #expect(filter.matches(event), "\(event.kind)") }
    }

    @Test func unsatisfiable() {
        #expect(!Filter().isUnsatisfiable)
        #expect(Filter(ids: []).isUnsatisfiable)
        #expect(Filter(authors: []).isUnsatisfiable)
        #expect(Filter(kinds: []).isUnsatisfiable)
        #expect(Filter(tags: [TagCondition("t", [])]).isUnsatisfiable)
        #expect(Filter(tags: [TagCondition("p", [hexA]), TagCondition("t", [])]).isUnsatisfiable)
        #expect(Filter(since: 11, until: 10).isUnsatisfiable)
        #expect(!Filter(since: 10, until: 10).isUnsatisfiable)
        #expect(!Filter(since: 10).isUnsatisfiable)
        #expect(!Filter(until: 0).isUnsatisfiable)
        #expect(
            !Filter(
                ids: [tagged.id], authors: [alice.publicKey], kinds: [1], tags: [TagCondition("p", [hexA])],
                limit: 0, search: ""
            ).isUnsatisfiable)
        // An unsatisfiable filter really matches nothing.
        let unsatisfiable = [
            Filter(ids: []), Filter(authors: []), Filter(kinds: []), Filter(tags: [TagCondition("d", [])]),
            Filter(since: 1001, until: 1000),
        ]
        for filter in unsatisfiable {
            #expect(filter.isUnsatisfiable)
            #expect(!filter.matches(tagged) && !filter.matches(bare), "\(filter.jsonString)")
        }
    }

    @Test func tagLookup() {
        let filter = Filter(tags: [TagCondition("t", ["a"]), TagCondition("T", ["B"]), TagCondition("e", [hexE])])
        #expect(filter.tags.map(\.letter) == [UInt8(ascii: "T"), UInt8(ascii: "e"), UInt8(ascii: "t")])
        #expect(filter.tag("t")?.values == ["a"])
        #expect(filter.tag("T")?.values == ["B"])
        #expect(filter.tag("e")?.values == [hexE])
        #expect(filter.tag("p") == nil)
        #expect(TagCondition("T", []).key == "#T")
    }
}

// MARK: Parsing

struct FilterErrorCase: Sendable, CustomTestStringConvertible {
    var name: String
    var json: String
    /// Text the reason's message must contain.
    var message: String
    var testDescription: String { name }

    init(_ name: String, _ json: String, _ message: String) {
        self.name = name
        self.json = json
        self.message = message
    }
}

private let prettyFilterJSON = #"""
    {
      "ids" : [ "\#(hexF)" ],
      "authors": ["\#(hexA)", "\#(hexB)"],
      "kinds": [ 1 , 7 ],
      "#a": ["30000:\#(hexA):friends"],
      "since": 1700000000, "until": 1700000001, "limit": 10,
      "search": "caf\u00e9 \ud83d\ude00"
    }
    """#

private let validFilterJSON: [String] = [
    "{}",
    #"{"kinds":[]}"#,
    #"{"ids":[]}"#,
    ##"{"#t":[]}"##,
    #"{"kinds":[0,1,3,65535,1]}"#,
    #"{"ids":["\#(hexA)","\#(hexB)"]}"#,
    #"{"authors":["\#(hexC)"],"limit":0}"#,
    ##"{"#p":["\##(hexA)"],"#e":["\##(hexE)"],"#t":["Nostr","nostr"],"#T":["Upper"],"#d":[""]}"##,
    #"{"since":0,"until":9223372036854775807}"#,
    #"{"limit":500,"search":"hello \"world\" \\ \n ⚡ lang:en"}"#,
    #"{"search":""}"#,
    prettyFilterJSON,
    ##"{"search":"x","limit":1,"until":2,"since":1,"#z":["z"],"#A":["A"],"kinds":[2],"authors":[],"ids":[]}"##,
]

private let invalidFilters: [FilterErrorCase] = [
    FilterErrorCase("ids not an array", #"{"ids":"\#(hexA)"}"#, #""ids" must be an array"#),
    FilterErrorCase("ids an object", #"{"ids":{}}"#, #""ids" must be an array"#),
    FilterErrorCase(
        "ids uppercase hex", #"{"ids":["\#(hexA.uppercased())"]}"#, #""ids" must hold 64-character lowercase hex"#),
    FilterErrorCase(
        "ids 63 characters", #"{"ids":["\#(hexA.dropLast())"]}"#, #""ids" must hold 64-character lowercase hex"#),
    FilterErrorCase("ids 65 characters", #"{"ids":["\#(hexA)a"]}"#, #""ids" must hold 64-character lowercase hex"#),
    FilterErrorCase("ids prefix", #"{"ids":["abcd"]}"#, #""ids" must hold 64-character lowercase hex"#),
    FilterErrorCase("ids non-hex", #"{"ids":["\#(hex64("g"))"]}"#, #""ids" must hold 64-character lowercase hex"#),
    FilterErrorCase("ids number element", #"{"ids":[1]}"#, #""ids" must hold 64-character lowercase hex"#),
    FilterErrorCase("ids second element bad", #"{"ids":["\#(hexA)","x"]}"#, #""ids" must hold"#),
    FilterErrorCase("authors not an array", #"{"authors":1}"#, #""authors" must be an array"#),
    FilterErrorCase(
        "authors uppercase hex", #"{"authors":["\#(hexB.uppercased())"]}"#,
        #""authors" must hold 64-character lowercase hex"#),
    FilterErrorCase(
        "authors 63 characters", #"{"authors":["\#(hexB.dropLast())"]}"#,
        #""authors" must hold 64-character lowercase hex"#),
    FilterErrorCase("authors prefix", #"{"authors":["b0b"]}"#, #""authors" must hold 64-character lowercase hex"#),
    FilterErrorCase("#e non-hex", ##"{"#e":["note1xyz"]}"##, ##""#e" must hold 64-character lowercase hex"##),
    FilterErrorCase(
        "#e uppercase", ##"{"#e":["\##(hexE.uppercased())"]}"##, ##""#e" must hold 64-character lowercase hex"##),
    FilterErrorCase("#p non-hex", ##"{"#p":["npub1abc"]}"##, ##""#p" must hold 64-character lowercase hex"##),
    FilterErrorCase(
        "#p 63 characters", ##"{"#p":["\##(hexA.dropLast())"]}"##, ##""#p" must hold 64-character lowercase hex"##),
    FilterErrorCase("#t not an array", ##"{"#t":"nostr"}"##, ##""#t" must be an array of strings"##),
    FilterErrorCase("#t number element", ##"{"#t":["a",1]}"##, ##""#t" must be an array of strings"##),
    FilterErrorCase("#t null element", ##"{"#t":[null]}"##, ##""#t" must be an array of strings"##),
    FilterErrorCase("kinds 65536", #"{"kinds":[65536]}"#, "kinds must be between 0 and 65535"),
    FilterErrorCase("kinds -1", #"{"kinds":[-1]}"#, "kinds must be between 0 and 65535"),
    FilterErrorCase("kinds 1.5", #"{"kinds":[1.5]}"#, "not a fraction or exponent"),
    FilterErrorCase("kinds 1e2", #"{"kinds":[1e2]}"#, "not a fraction or exponent"),
    FilterErrorCase("kinds \"1\"", #"{"kinds":["1"]}"#, #""kinds" must be an array of integers"#),
    FilterErrorCase("kinds not an array", #"{"kinds":1}"#, #""kinds" must be an array of integers"#),
    FilterErrorCase("kinds huge", #"{"kinds":[99999999999999999999]}"#, "out of range"),
    FilterErrorCase("since -1", #"{"since":-1}"#, #""since" must be a non-negative integer"#),
    FilterErrorCase("since string", #"{"since":"1"}"#, #""since" must be a non-negative integer"#),
    FilterErrorCase("until -1", #"{"until":-1}"#, #""until" must be a non-negative integer"#),
    FilterErrorCase("until 1.5", #"{"until":1.5}"#, "not a fraction or exponent"),
    FilterErrorCase("limit -5", #"{"limit":-5}"#, #""limit" must be a non-negative integer"#),
    FilterErrorCase("limit 1.0", #"{"limit":1.0}"#, "not a fraction or exponent"),
    FilterErrorCase("limit true", #"{"limit":true}"#, #""limit" must be a non-negative integer"#),
    FilterErrorCase("search not a string", #"{"search":1}"#, #""search" must be a string"#),
    FilterErrorCase("tag key #ab", ##"{"#ab":["x"]}"##, ##"unsupported tag filter "#ab""##),
    FilterErrorCase("tag key #1", ##"{"#1":["x"]}"##, ##"unsupported tag filter "#1""##),
    FilterErrorCase("tag key #", ##"{"#":["x"]}"##, ##"unsupported tag filter "#""##),
    FilterErrorCase("tag key #-", ##"{"#-":["x"]}"##, "unsupported tag filter"),
    FilterErrorCase("tag key #é", ##"{"#é":["x"]}"##, "unsupported tag filter"),
    FilterErrorCase("duplicate kinds", #"{"kinds":[1],"kinds":[2]}"#, #"duplicate field "kinds""#),
    FilterErrorCase("duplicate #p", ##"{"#p":["\##(hexA)"],"#p":["\##(hexB)"]}"##, ##"duplicate field "#p""##),
    FilterErrorCase(
        "duplicate kinds, second spelled with an escape", #"{"kinds":[1],"\u006binds":[2]}"#,
        #"duplicate field "kinds""#),
    FilterErrorCase("duplicate unknown field", #"{"x":1,"x":2}"#, #"duplicate field "x""#),
    FilterErrorCase("array, not an object", #"[{"kinds":[1]}]"#, "a filter must be a JSON object"),
    FilterErrorCase("string, not an object", #""{}""#, "a filter must be a JSON object"),
    FilterErrorCase("number, not an object", "1", "a filter must be a JSON object"),
    FilterErrorCase("null, not an object", "null", "a filter must be a JSON object"),
    FilterErrorCase("unterminated object", #"{"kinds":[1]"#, "malformed JSON"),
    FilterErrorCase("trailing data", #"{"kinds":[1]} {}"#, "malformed JSON"),
    FilterErrorCase("empty input", "", "malformed JSON"),
]

@Suite struct FilterParsingTests {
    @Test(arguments: validFilterJSON) func roundTrip(_ json: String) throws {
        let parsed = try Filter(json: json)
        let written = parsed.jsonString
        let reparsed = try Filter(json: written)
        #expect(reparsed == parsed, "\(json) -> \(written)")
        #expect(reparsed.jsonString == written)
        // The written form is valid generic JSON too.
        #expect(throws: Never.self) { try JSONValue.parse(written) }
    }

    @Test func parsedFieldValues() throws {
        let filter = try Filter(json: prettyFilterJSON)
        #expect(filter.ids == [EventID(hex: hexF)!])
        #expect(filter.authors == [PublicKey(hex: hexA)!, PublicKey(hex: hexB)!])
        #expect(filter.kinds == [1, 7])
        #expect(filter.tags == [TagCondition("a", ["30000:\(hexA):friends"])])
        #expect(filter.since == 1_700_000_000)
        #expect(filter.until == 1_700_000_001)
        #expect(filter.limit == 10)
        #expect(filter.search == "café 😀")
    }

    @Test func upperAndLowerTagKeysAreDistinct() throws {
        let filter = try Filter(json: ##"{"#t":["a"],"#T":["B"]}"##)
        #expect(filter.tag("t") == TagCondition("t", ["a"]))
        #expect(filter.tag("T") == TagCondition("T", ["B"]))
        #expect(filter.tags.count == 2)
    }

    @Test func writesFieldsInFixedOrder() throws {
        let filter = try Filter(
            json:
                ##"{"search":"s","limit":3,"until":2,"since":1,"#t":["x"],"#e":["\##(hexE)"],"kinds":[1],"authors":["\##(hexB)"],"ids":["\##(hexA)"]}"##
        )
        #expect(
            filter.jsonString
                == ##"{"ids":["\##(hexA)"],"authors":["\##(hexB)"],"kinds":[1],"#e":["\##(hexE)"],"#t":["x"],"since":1,"until":2,"limit":3,"search":"s"}"##
        )
        #expect(Filter().jsonString == "{}")
        #expect(Filter(kinds: []).jsonString == #"{"kinds":[]}"#)
    }

    @Test(arguments: invalidFilters) func rejects(_ test: FilterErrorCase) {
        do {
            let filter = try Filter(json: test.json)
            Issue.record("accepted \(test.json) as \(filter.jsonString)")
        } catch {
            #expect(error.prefix == .invalid)
            #expect(error.message.contains(test.message), "message was: \(error.message)")
            #expect(error.description.hasPrefix("invalid: "))
        }
    }

    @Test func nullCountsAsAbsent() throws {
        let filter = try Filter(
            json:
                ##"{"ids":null,"authors":null,"kinds":null,"#p":null,"#t":null,"since":null,"until":null,"limit":null,"search":null}"##
        )
        #expect(filter == Filter())
        #expect(try Filter(json: #"{"kinds":null,"since":5}"#) == Filter(since: 5))
        // A null under an invalid tag key is absent too, so the key is never examined.
        #expect(try Filter(json: ##"{"#ab":null}"##) == Filter())
    }

    @Test func unknownKeysAreIgnored() throws {
        let filter = try Filter(
            json: #"{"foo":1,"bar":{"x":[1,2,{"y":null}]},"kinds":[1],"relay":"wss://x","ids ":"not hex","Kinds":"x"}"#)
        #expect(filter == Filter(kinds: [1]))
    }

    @Test func parsesFromBytes() throws {
        let filter = try Filter(json: Array(##"{"kinds":[3],"#p":["\##(hexA)"]}"##.utf8))
        #expect(filter == Filter(kinds: [3], tags: [TagCondition("p", [hexA])]))
    }
}

// MARK: Randomized differential test

/// A filter described with plain strings, matched by a deliberately naive reference.
private struct NaiveFilter: CustomStringConvertible {
    var ids: [String]?
    var authors: [String]?
    var kinds: [Int]?
    var tags: [(letter: String, values: [String])] = []
    var since: Int64?
    var until: Int64?
    var search: String?

    var filter: Filter {
        Filter(
            ids: ids?.map { EventID(hex: $0)! }, authors: authors?.map { PublicKey(hex: $0)! },
            kinds: kinds?.map { Kind($0)! }, tags: tags.map { TagCondition(Character($0.letter), $0.values) },
            since: since, until: until, search: search)
    }

    var description: String {
        "ids=\(String(describing: ids)) authors=\(String(describing: authors)) kinds=\(String(describing: kinds)) "
            + "tags=\(tags) since=\(String(describing: since)) until=\(String(describing: until)) "
            + "search=\(String(describing: search))"
    }

    /// The reference: a direct, slow reading of NIP-01 over strings.
    func matches(
        id: String, pubkey: String, kind: Int, createdAt: Int64, tags eventTags: [[String]],
        content: String
    ) -> Bool {
        if let ids {
            var found = false
            for candidate in ids where candidate == id { found = true }
            if !found { return false }
        }
        if let authors {
            var found = false
            for candidate in authors where candidate == pubkey { found = true }
            if !found { return false }
        }
        if let kinds {
            var found = false
            for candidate in kinds where candidate == kind { found = true }
            if !found { return false }
        }
        if let since, createdAt < since { return false }
        if let until, createdAt > until { return false }
        for condition in tags {
            var found = false
            for tag in eventTags where tag.count >= 2 && tag[0] == condition.letter {
                for value in condition.values where value == tag[1] { found = true }
            }
            if !found { return false }
        }
        if let search {
            let haystack = asciiLowercased(content)
            for term in search.split(separator: " ") where !term.contains(":") {
                if !haystack.contains(asciiLowercased(String(term))) { return false }
            }
        }
        return true
    }
}

private func asciiLowercased(_ text: String) -> String {
    String(decoding: text.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
}

private extension SeededGenerator {
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    mutating func pick<T>(_ values: [T]) -> T { values[below(values.count)] }
    mutating func some<T>(_ values: [T], max: Int) -> [T] { (0..<below(max + 1)).map { _ in pick(values) } }
}

private let randomWords = ["zap", "Nostr", "relay", "COFFEE", "bitcoin", "pleb", "Swift", "art", "x"]
private let randomLetters = ["p", "e", "t", "T", "d", "P"]
private let randomTagNames = ["p", "e", "t", "T", "d", "P", "pp", "", "-", "tt"]
private let randomKinds = [0, 1, 3, 7, 10002, 30000, 65535]
private let baseTime: Int64 = 1_700_000_000

@Suite struct FilterPropertyTests {
    @Test(arguments: [UInt64(0x5EED_F11E), 42]) func matchesAgreesWithNaiveReference(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let keyPairs = (0..<3).map { _ in
            var pair: KeyPair?
            while pair == nil {
                pair = SecretKey(Bytes32(w0: random.next(), w1: random.next(), w2: random.next(), w3: random.next()))
                    .map(KeyPair.init)
            }
            return pair!
        }
        let pubkeys = keyPairs.map(\.publicKey.hex)
        let hexValues = pubkeys + [hexA, hexB]
        let tagValues = hexValues + ["nostr", "Nostr", "", "wss://r"]

        // A pool of signed events; the filters below draw their values from the same small pools so
        // that matches and near-misses are both common.
        var events: [Event] = []
        for _ in 0..<60 {
            var tags: [[String]] = []
            for _ in 0..<random.below(5) {
                var tag = [random.pick(randomTagNames)]
                tag += random.some(tagValues, max: 3)
                tags.append(tag)
            }
            let content = random.some(randomWords, max: 4).joined(separator: random.chance(50) ? " " : "")
            let event = random.pick(keyPairs).sign(
                kind: Kind(random.pick(randomKinds))!, tags: tags, content: content,
                createdAt: baseTime + Int64(random.below(10)), auxiliaryRandom: .zero)
            events.append(event)
        }
        let eventIDs = events.map(\.id.hex)

        var matched = 0
        var mismatches = 0
        for iteration in 0..<2000 {
            let event = random.pick(events)
            var naive = NaiveFilter()
            if random.chance(25) { naive.ids = random.some(eventIDs + [hexF], max: 3) }
            if random.chance(35) { naive.authors = random.some(pubkeys + [hexC], max: 2) }
            if random.chance(35) { naive.kinds = random.some(randomKinds, max: 3) }
            var letters = Set<String>()
            for _ in 0..<random.below(3) {
                let letter = random.pick(randomLetters)
                guard letters.insert(letter).inserted else { continue }
                let pool = letter == "p" || letter == "e" ? hexValues : tagValues
                naive.tags.append((letter, random.some(pool, max: 3)))
            }
            if random.chance(30) { naive.since = baseTime - 1 + Int64(random.below(12)) }
            if random.chance(30) { naive.until = baseTime - 1 + Int64(random.below(12)) }
            if random.chance(25) {
                var terms = random.some(randomWords, max: 2).map { random.chance(50) ? $0.uppercased() : $0 }
                if random.chance(30) { terms.insert("lang:en", at: random.below(terms.count + 1)) }
                naive.search = terms.joined(separator: " ")
            }

            let filter = naive.filter
            let expected = naive.matches(
                id: event.id.hex, pubkey: event.pubkey.hex, kind: Int(event.kind.rawValue),
                createdAt: event.createdAt, tags: event.tags.arrays, content: event.content)
            let actual = filter.matches(event)
            if expected { matched += 1 }
            if actual != expected {
                mismatches += 1
                let report =
                    "seed \(seed) iteration \(iteration): Filter.matches = \(actual), reference = \(expected)\n"
                    + "filter \(naive)\nevent \(event.jsonString)"
                Issue.record(Comment(rawValue: report))
            }
            // Every generated filter also survives a JSON round trip.
            let reparsed = try Filter(json: filter.jsonString)
            if reparsed != filter {
                mismatches += 1
                Issue.record("seed \(seed) iteration \(iteration): round trip changed \(filter.jsonString)")
            }
            if mismatches >= 10 { break }
        }
        // The generator must exercise both outcomes to mean anything.
        #expect(matched > 100, "seed \(seed): only \(matched) matches")
        #expect(matched < 1900, "seed \(seed): \(matched) matches")
    }
}
