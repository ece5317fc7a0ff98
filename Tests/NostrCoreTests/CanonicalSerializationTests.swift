import Foundation
import NostrCore
import NostrCoreTesting
import Testing

private let pkA = "dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659"
private let pkB = "778caa53b4393ac467774d09497a87224bf9fab6f6e68b23086497324d6fd117"

/// One fixed event tuple with its canonical serialisation written out by hand and its id.
///
/// The ids are reference values computed once, outside this code base, with Python:
/// `hashlib.sha256(json.dumps([0,pk,ts,kind,tags,content], separators=(',',':'),
/// ensure_ascii=False).encode()).hexdigest()`; `json.dumps` escapes exactly like NIP-01 for
/// these inputs (short escapes for the seven, `\u00xx` lowercase for other controls, `/`, DEL
/// and all non-ASCII verbatim), and was checked to produce the `escaped` strings below byte for byte.
/// `verbatim`/`verbatimID` are given where the content or tags hold other control characters:
/// the serialisation with those bytes raw, and its SHA-256 (also computed with Python).
struct CanonicalSerializationCase: Sendable, CustomTestStringConvertible {
    var name: String
    var pubkey: String
    var createdAt: Int64
    var kind: Kind
    var tags: [[String]]
    var content: String
    var escaped: String
    var id: String
    var verbatim: String? = nil
    var verbatimID: String? = nil
    var testDescription: String { name }
}

private let allControls = String(String.UnicodeScalarView((0..<0x20).map { Unicode.Scalar(UInt8($0)) })) + "\u{7F}"

private let canonicalCases: [CanonicalSerializationCase] = [
    CanonicalSerializationCase(
        name: "quote, backslash, newline",
        pubkey: pkA, createdAt: 1, kind: 1, tags: [], content: "a\"b\\c\n",
        escaped: #"[0,"dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659",1,1,[],"a\"b\\c\n"]"#,
        id: "efa893519b836c853833440b3887ef71363c5b101c30cbd3a104fc719202f6b3"),
    CanonicalSerializationCase(
        name: "tab, CR, LF, backspace, form feed; slash in tag",
        pubkey: pkA, createdAt: 1_700_000_000, kind: 1,
        tags: [["e", "5c83da77af1dec6d7289834998ad7aafbd9e2191396d75ec3cc27f5a77226f36", "wss://relay.example.com/"]],
        content: "tab\there\r\nback\u{8}space\u{C}form",
        escaped: #"[0,"dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659",1700000000,1,"#
            + #"[["e","5c83da77af1dec6d7289834998ad7aafbd9e2191396d75ec3cc27f5a77226f36","wss://relay.example.com/"]],"#
            + #""tab\there\r\nback\bspace\fform"]"#,
        id: "f803726968e91f281a02d4b5d5184f24149f058997614d6382dec829d4b00823"),
    CanonicalSerializationCase(
        name: "U+0001, U+001F, DEL, NUL",
        pubkey: pkB, createdAt: 1_234_567_890, kind: 0, tags: [], content: "ctl:\u{1}|\u{1F}|\u{7F}|\u{0}",
        escaped: #"[0,"778caa53b4393ac467774d09497a87224bf9fab6f6e68b23086497324d6fd117",1234567890,0,[],"#
            + #""ctl:\u0001|\u001f|"# + "\u{7F}" + #"|\u0000"]"#,
        id: "2807da044fc75dbfa135ce4e2d80e6c0cbbdd10685f5a661a8f9d945d28e23a2",
        verbatim: #"[0,"778caa53b4393ac467774d09497a87224bf9fab6f6e68b23086497324d6fd117",1234567890,0,[],"#
            + "\"ctl:\u{1}|\u{1F}|\u{7F}|\u{0}\"]",
        verbatimID: "51d68dea9db7633adeac577a6ebfe38f441dceff87ee66c12b65c2405c8c6ef1"),
    CanonicalSerializationCase(
        name: "emoji, non-BMP, U+2028/2029, slash, non-ASCII verbatim",
        pubkey: pkB, createdAt: 0, kind: 65535, tags: [["emoji", "🎉", ":party:"]],
        content: "😀 𝄞 \u{2028}\u{2029} a/b </script> é 日本語 \u{A0}\u{FEFF}",
        escaped: #"[0,"778caa53b4393ac467774d09497a87224bf9fab6f6e68b23086497324d6fd117",0,65535,"#
            + #"[["emoji","🎉",":party:"]],"# + "\"😀 𝄞 \u{2028}\u{2029} a/b </script> é 日本語 \u{A0}\u{FEFF}\"]",
        id: "cad4f3a62c329889ee2bb362c73ba2baa7cf3ceb8c0108c01c4344582f423c63"),
    CanonicalSerializationCase(
        name: "escapes in tags, empty tag, empty content, Int64.max",
        pubkey: pkA, createdAt: .max, kind: 30023,
        tags: [["d", "slug/with/slashes"], [], ["t", "a\"q\\b\n"], ["x", "\u{7}\u{1B}"]], content: "",
        escaped: #"[0,"dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659",9223372036854775807,30023,"#
            + #"[["d","slug/with/slashes"],[],["t","a\"q\\b\n"],["x","\u0007\u001b"]],""]"#,
        id: "545fbac5465eb091ec403509077093381357384fc1d06dd545a584a6648706f3",
        verbatim: #"[0,"dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659",9223372036854775807,30023,"#
            + #"[["d","slug/with/slashes"],[],["t","a\"q\\b\n"],["x",""# + "\u{7}\u{1B}" + #""]],""]"#,
        verbatimID: "f7419110ca70d3bda3f5b8156b39e284b0b30088a2914c063d08a098026a3c09"),
    CanonicalSerializationCase(
        name: "JSON inside content, follow list",
        pubkey: pkB, createdAt: 42, kind: 3, tags: [["p", pkA, "wss://r.example/", "pet"], ["p", pkB]],
        content: #"{"json":[1,2,"three"]}"#,
        escaped: #"[0,"778caa53b4393ac467774d09497a87224bf9fab6f6e68b23086497324d6fd117",42,3,"#
            + #"[["p","dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659","wss://r.example/","pet"],"#
            + #"["p","778caa53b4393ac467774d09497a87224bf9fab6f6e68b23086497324d6fd117"]],"#
            + #""{\"json\":[1,2,\"three\"]}"]"#,
        id: "f646e537dd24fe679ca26a36b6b74e1cf6408b5f7c375b2d09777231106977c9"),
    CanonicalSerializationCase(
        name: "every control character and DEL",
        pubkey: pkA, createdAt: 1, kind: 1, tags: [], content: allControls,
        escaped: #"[0,"dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659",1,1,[],"#
            + #""\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f"#
            + #"\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f"#
            + "\u{7F}\"]",
        id: "7586f091443811a8365d5a32dc5ac248dd72c37cc122eaf6f62cdbe31f3afacd",
        verbatim: #"[0,"dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659",1,1,[],"#
            + "\"\u{0}\u{1}\u{2}\u{3}\u{4}\u{5}\u{6}\u{7}" + #"\b\t\n"# + "\u{B}" + #"\f\r"#
            + "\u{E}\u{F}\u{10}\u{11}\u{12}\u{13}\u{14}\u{15}\u{16}\u{17}\u{18}\u{19}\u{1A}\u{1B}\u{1C}\u{1D}\u{1E}\u{1F}"
            + "\u{7F}\"]",
        verbatimID: "9e753a49fdfea8b23dc3b2839df1b9aa9d8edae98bab8656e6413cf8d4667f92"),
    CanonicalSerializationCase(
        name: "UTF-8 length boundaries",
        pubkey: pkB, createdAt: 1_600_000_000, kind: 10002, tags: [["r", "wss://x.example", "read"]],
        content: "\u{10FFFF}\u{10000}\u{800}\u{7FF}\u{80}",
        escaped: #"[0,"778caa53b4393ac467774d09497a87224bf9fab6f6e68b23086497324d6fd117",1600000000,10002,"#
            + #"[["r","wss://x.example","read"]],"# + "\"\u{10FFFF}\u{10000}\u{800}\u{7FF}\u{80}\"]",
        id: "54bb33cde7320f7923ae269d51635730e40f165e6d8cd1645f3d011aede087e7"),
]

/// Secret key of BIP-340 test vector 1, for deterministic fixtures.
private let fixtureSecretKey = SecretKey(hex: "b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfef")!
private let fixedAux = Bytes32(w0: 0x0123_4567_89AB_CDEF, w1: 0, w2: 0xFFFF_FFFF_FFFF_FFFF, w3: 42)

@Suite("Canonical serialisation")
struct CanonicalSerializationTests {
    @Test(arguments: canonicalCases)
    func serialisationAndID(_ testCase: CanonicalSerializationCase) throws {
        let pubkey = try #require(PublicKey(hex: testCase.pubkey))
        let tags = Tags(testCase.tags)
        let serialized = Event.canonicalSerialization(
            pubkey: pubkey, createdAt: testCase.createdAt, kind: testCase.kind, tags: tags, content: testCase.content)
        #expect(
            serialized == Array(testCase.escaped.utf8),
            "got \(String(decoding: serialized, as: UTF8.self).debugDescription)")
        let id = Event.computeID(
            pubkey: pubkey, createdAt: testCase.createdAt, kind: testCase.kind, tags: tags, content: testCase.content)
        #expect(id.hex == testCase.id)

        // The escaped serialisation is itself valid JSON that decodes back to the fields.
        let parsed = try JSONValue.parse(serialized)
        let elements = try #require(parsed.arrayValue)
        #expect(elements.count == 6)
        #expect(elements[0] == .number("0"))
        #expect(elements[1].stringValue == testCase.pubkey)
        #expect(elements[2].int64Value == testCase.createdAt)
        #expect(elements[3].int64Value == Int64(testCase.kind.rawValue))
        #expect(elements[4] == .array(testCase.tags.map { .array($0.map(JSONValue.string)) }))
        #expect(elements[5].stringValue.map { Array($0.utf8) } == Array(testCase.content.utf8))

        let verbatim = Event.canonicalSerialization(
            pubkey: pubkey, createdAt: testCase.createdAt, kind: testCase.kind, tags: tags, content: testCase.content,
            controlCharacters: .verbatim)
        let verbatimID = Event.computeID(
            pubkey: pubkey, createdAt: testCase.createdAt, kind: testCase.kind, tags: tags, content: testCase.content,
            controlCharacters: .verbatim)
        if let expected = testCase.verbatim, let expectedID = testCase.verbatimID {
            #expect(
                verbatim == Array(expected.utf8),
                "got \(String(decoding: verbatim, as: UTF8.self).debugDescription)")
            #expect(verbatimID.hex == expectedID)
            #expect(verbatimID != id)
        } else {
            // Without ambiguous control characters both styles are the same bytes.
            #expect(verbatim == serialized)
            #expect(verbatimID == id)
        }
    }

    @Test func instanceMethodsMatchStaticOnes() throws {
        let pair = KeyPair(secretKey: fixtureSecretKey)
        for testCase in canonicalCases {
            let event = pair.sign(
                kind: testCase.kind, tags: testCase.tags, content: testCase.content,
                createdAt: testCase.createdAt, auxiliaryRandom: fixedAux)
            let expected = Event.canonicalSerialization(
                pubkey: pair.publicKey, createdAt: testCase.createdAt,
                kind: testCase.kind, tags: Tags(testCase.tags),
                content: testCase.content)
            #expect(event.canonicalSerialization() == expected, "\(testCase.name)")
            #expect(event.computeID() == event.id, "\(testCase.name)")
            try event.validate()
            #expect(event.hasValidID && event.hasValidSignature, "\(testCase.name)")
            let reparsed = try Event(json: event.rawJSON)
            #expect(reparsed == event, "\(testCase.name)")
            try reparsed.validate()
        }
    }

    @Test func slashAndNonASCIIAreNeverEscaped() {
        let pubkey = PublicKey(.zero)
        let content = "/ é ü ß 中 🙂 \u{2028} \u{FFFD}"
        let serialized = Event.canonicalSerialization(
            pubkey: pubkey, createdAt: 1, kind: 1, tags: Tags(),
            content: content)
        let text = String(decoding: serialized, as: UTF8.self)
        #expect(!text.contains(#"\/"#))
        #expect(!text.contains(#"\u"#))
        #expect(text.hasSuffix("\"\(content)\"]"))
    }

    // MARK: Verbatim-signed events

    private func verbatimSignedEvent(content: String, tags: [[String]]) throws -> Event {
        let pair = KeyPair(secretKey: fixtureSecretKey)
        let tags = Tags(tags)
        let id = Event.computeID(
            pubkey: pair.publicKey, createdAt: 1_700_000_123, kind: 1, tags: tags,
            content: content, controlCharacters: .verbatim)
        let sig = id.raw.bytes.withUnsafeBytes {
            Schnorr.sign(message: $0, with: fixtureSecretKey, auxiliaryRandom: fixedAux)
        }
        return Event(
            id: id, pubkey: pair.publicKey, createdAt: 1_700_000_123, kind: 1, tags: tags, content: content,
            sig: sig)
    }

    /// Whitespace between members (PostgreSQL's `json_build_object`, pretty printers) never changes
    /// the id: before the tags array, after it, around an empty one, around the content.
    @Test(arguments: [
        #"{"id":"ID","pubkey":"PK","created_at":1700000000,"kind":3,"tags": TAGS,"content":"hi","sig":"SIG"}"#,
        #"{"id" : "ID", "pubkey" : "PK", "created_at" : 1700000000, "kind" : 3, "tags" : TAGS, "content" : "hi", "sig" : "SIG"}"#,
        "{\n  \"id\": \"ID\",\n  \"pubkey\": \"PK\",\n  \"created_at\": 1700000000,\n  \"kind\": 3,\n  \"tags\":\tTAGS ,\n  \"content\":  \"hi\",\n  \"sig\": \"SIG\"\n}",
    ])
    func whitespaceBetweenMembersKeepsTheID(template: String) throws {
        let pair = KeyPair.generate()
        for tags in [[], [["p", pkA], ["t", "x"]]] as [[[String]]] {
            let event = pair.sign(kind: 3, tags: tags, content: "hi", createdAt: 1_700_000_000)
            let compactTags = event.jsonString.split(separator: #""tags":"#)[1].split(separator: #","content""#)[0]
            let json = template.replacingOccurrences(of: "ID", with: event.id.hex)
                .replacingOccurrences(of: "PK", with: event.pubkey.hex)
                .replacingOccurrences(of: "SIG", with: event.sig.hex)
                .replacingOccurrences(of: "TAGS", with: String(compactTags))
            let parsed = try Event(json: json)
            #expect(parsed.computeID() == event.id, "\(json)")
            try parsed.validate()
            #expect(parsed.storageJSON() == event.rawJSON)
        }
    }

    @Test func verbatimSignedEventValidates() throws {
        let event = try verbatimSignedEvent(content: "bell\u{1}here\n", tags: [["t", "x\u{2}y"]])
        #expect(event.computeID() != event.id, "the escaped reading gives a different id")
        #expect(event.computeID(controlCharacters: .verbatim) == event.id)
        try event.validate()
        #expect(event.hasValidID)
        #expect(event.hasValidSignature)

        // Its wire form escapes U+0001 as \u0001; parsing it back keeps the raw character and still validates.
        #expect(event.jsonString.contains(#"bell\u0001here\n"#))
        let reparsed = try Event(json: event.rawJSON)
        #expect(reparsed == event)
        #expect(Array(reparsed.content.utf8) == Array("bell\u{1}here\n".utf8))
        try reparsed.validate()
    }

    @Test func tamperedVerbatimEventFails() throws {
        let event = try verbatimSignedEvent(content: "bell\u{1}here", tags: [])
        try event.validate()

        let tamperedContent = Event(
            id: event.id, pubkey: event.pubkey, createdAt: event.createdAt, kind: event.kind,
            tags: event.tags, content: "bell\u{1}hers", sig: event.sig)
        let contentError = try #require(throws: EventValidationError.self) { try tamperedContent.validate() }
        #expect(contentError == .idMismatch(computed: tamperedContent.computeID()))
        #expect(contentError.reason.prefix == .invalid)
        #expect(!tamperedContent.hasValidID)

        var sigBytes = event.sig.bytes
        sigBytes[63] ^= 0x01
        let tamperedSig = Event(
            id: event.id, pubkey: event.pubkey, createdAt: event.createdAt, kind: event.kind,
            tags: event.tags, content: event.content, sig: try #require(Signature(sigBytes)))
        let sigError = try #require(throws: EventValidationError.self) { try tamperedSig.validate() }
        #expect(sigError == .invalidSignature)
        #expect(sigError.reason.prefix == .invalid)
        try tamperedSig.validate(verifySignature: false)  // the id alone is still right
        #expect(tamperedSig.hasValidID)
        #expect(!tamperedSig.hasValidSignature)

        // A verbatim id does not excuse content whose only control characters are the short-escape ones.
        let plain = try verbatimSignedEvent(content: "line\nbreak", tags: [])
        try plain.validate()
        #expect(plain.computeID() == plain.id)
    }

    // MARK: Seeded random round trip

    private static let trickyScalars: [Unicode.Scalar] = [
        "\"", "\\", "/", "\n", "\t", "\r", "\u{8}", "\u{C}", "\u{0}", "\u{1}", "\u{1F}", "\u{7F}", "\u{B}",
        "é", "日", "😀", "𝄞", "\u{2028}", "\u{2029}", "\u{FEFF}", "\u{FFFD}", "\u{FFFF}", "\u{10FFFF}", "\u{10000}",
        "\u{80}", "\u{7FF}", "\u{800}", "\u{D7FF}", "\u{E000}", "\u{301}", " ", "a", "Z", "0", "{", "}", "[", "]",
        ",", ":",
    ]

    private static func randomScalar(_ generator: inout SeededGenerator) -> Unicode.Scalar {
        switch UInt8.random(in: 0..<8, using: &generator) {
        case 0...3:
            return trickyScalars.randomElement(using: &generator)!
        case 4, 5:
            return Unicode.Scalar(UInt8.random(in: 0x20...0x7E, using: &generator))
        case 6:
            return Unicode.Scalar(UInt8.random(in: 0...0x1F, using: &generator))
        default:
            while true {
                if let scalar = Unicode.Scalar(UInt32.random(in: 0...0x10FFFF, using: &generator)) { return scalar }
            }
        }
    }

    private static func randomString(_ generator: inout SeededGenerator, maxLength: Int) -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...maxLength, using: &generator) {
            scalars.append(randomScalar(&generator))
        }
        return String(scalars)
    }

    @Test(arguments: [0x5EED_0001, 0x5EED_0002, 0xDEAD_BEEF, 42, 7_777_777] as [UInt64])
    func seededRandomRoundTrip(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        var pairs: [KeyPair] = []
        while pairs.count < 4 {
            let raw = Bytes32(w0: generator.next(), w1: generator.next(), w2: generator.next(), w3: generator.next())
            if let key = SecretKey(raw) { pairs.append(KeyPair(secretKey: key)) }
        }
        for index in 0..<100 {
            let pair = pairs.randomElement(using: &generator)!
            let content = Self.randomString(&generator, maxLength: 60)
            var tagArrays: [[String]] = []
            for _ in 0..<Int.random(in: 0...5, using: &generator) {
                var tag: [String] = []
                for _ in 0..<Int.random(in: 0...4, using: &generator) {
                    tag.append(Self.randomString(&generator, maxLength: 12))
                }
                tagArrays.append(tag)
            }
            let kind = Kind(rawValue: UInt16.random(in: 0...UInt16.max, using: &generator))
            let createdAt: Int64 =
                Bool.random(using: &generator)
                ? Int64.random(in: 0...2_000_000_000, using: &generator)
                : Int64.random(in: 0...Int64.max, using: &generator)
            let event = pair.sign(
                kind: kind, tags: tagArrays, content: content, createdAt: createdAt,
                auxiliaryRandom: fixedAux)
            let context = "seed \(seed) event \(index): \(event.jsonString.debugDescription)"

            let reparsed: Event
            do {
                reparsed = try Event(json: event.rawJSON)
            } catch {
                Issue.record("\(context): \(error)")
                continue
            }
            #expect(reparsed == event, "\(context)")
            #expect(reparsed.id == event.id, "\(context)")
            #expect(reparsed.pubkey == pair.publicKey, "\(context)")
            #expect(reparsed.createdAt == createdAt, "\(context)")
            #expect(reparsed.kind == kind, "\(context)")
            #expect(reparsed.sig == event.sig, "\(context)")
            #expect(Array(reparsed.content.utf8) == Array(content.utf8), "\(context)")
            #expect(
                reparsed.tags.arrays.map { $0.map { Array($0.utf8) } } == tagArrays.map { $0.map { Array($0.utf8) } },
                "\(context)")
            #expect(reparsed.rawJSON == event.rawJSON, "\(context)")
            #expect(reparsed.serializedJSON() == event.rawJSON, "\(context)")
            #expect(reparsed.computeID() == event.id, "\(context)")
            do {
                try reparsed.validate()
            } catch {
                Issue.record("\(context): \(error)")
            }

            // The canonical serialisation is valid JSON holding exactly the fields.
            let canonical = try JSONValue.parse(event.canonicalSerialization())
            let elements = try #require(canonical.arrayValue, "\(context)")
            #expect(elements.count == 6, "\(context)")
            #expect(elements[5].stringValue.map { Array($0.utf8) } == Array(content.utf8), "\(context)")
            #expect(elements[4].arrayValue?.count == tagArrays.count, "\(context)")
            #expect(elements[2].int64Value == createdAt, "\(context)")
        }
    }
}
