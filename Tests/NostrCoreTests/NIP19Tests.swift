import NostrCore
import Testing

// MARK: - Helpers

private func randomBytes32() -> Bytes32 {
    var generator = SystemRandomNumberGenerator()
    return Bytes32(w0: generator.next(), w1: generator.next(), w2: generator.next(), w3: generator.next())
}

private func randomPublicKey() -> PublicKey { PublicKey(randomBytes32()) }
private func randomEventID() -> EventID { EventID(randomBytes32()) }

private func hexBytes(_ hex: String) -> [UInt8] { Hex.decode(hex)! }

/// A TLV record, for hand-building malformed NIP-19 data.
private func tlv(_ type: UInt8, _ value: [UInt8]) -> [UInt8] { [type, UInt8(value.count)] + value }

private let bech32Alphabet = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l")

// MARK: - Bech32 (BIP-173)

@Suite struct NIP19Bech32Tests {
    static let bip173Valid = [
        "A12UEL5L",
        "a12uel5l",
        "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
        "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
        "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
        "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
        "?1ezyfcl",
    ]

    @Test(arguments: bip173Valid)
    func bip173ValidStringsDecodeAndReencode(_ string: String) throws {
        let (hrp, words) = try Bech32.decodeWords(string)
        #expect(hrp == string.lowercased().prefix(upTo: string.lowercased().lastIndex(of: "1")!).description)
        #expect(Bech32.encode(hrp: hrp, words: words) == string.lowercased())
    }

    @Test func bip173ValidStringsDecodeToBytes() throws {
        let abc = try Bech32.decode("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw")
        #expect(abc.hrp == "abcdef")
        #expect(abc.data == hexBytes("00443214c74254b635cf84653a56d7c675be77df"))

        let split = try Bech32.decode("split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w")
        #expect(split.hrp == "split")
        #expect(split.data == hexBytes("c5f38b70305f519bf66d85fb6cf03058f3dde463ecd7918f2dc743918f2d"))

        let ones = try Bech32.decode(
            "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j")
        #expect(ones.hrp == "1")
        #expect(ones.data == [UInt8](repeating: 0, count: 51))

        let upper = try Bech32.decode("A12UEL5L")
        #expect(upper.hrp == "a")
        #expect(upper.data.isEmpty)
    }

    @Test func encoderOutputsLowercase() {
        #expect(Bech32.encode(hrp: "A", data: []) == "a12uel5l")
        #expect(
            Bech32.encode(hrp: "abcdef", data: hexBytes("00443214c74254b635cf84653a56d7c675be77df"))
                == "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw")
    }

    static let bip173Invalid: [(String, NIP19Error)] = [
        ("\u{20}1nwldj5", .invalidCharacter(at: 0)),
        ("\u{7F}1axkwrx", .invalidCharacter(at: 0)),
        ("\u{80}1eym55h", .invalidCharacter(at: 0)),
        ("pzry9x0s0muk", .missingSeparator),
        ("1pzry9x0s0muk", .emptyHumanReadablePart),
        ("x1b4n0q5v", .invalidCharacter(at: 2)),
        ("li1dgmt3", .checksumTooShort),
        ("de1lg7wt\u{FF}", .invalidCharacter(at: 8)),
        ("A1G7SGD8", .badChecksum),
        ("10a06t8", .emptyHumanReadablePart),
        ("1qzzfhee", .emptyHumanReadablePart),
        ("A12uEL5L", .mixedCase),
    ]

    @Test(arguments: bip173Invalid)
    func bip173InvalidStringsAreRejected(_ string: String, _ expected: NIP19Error) {
        #expect(throws: expected) { try Bech32.decodeWords(string) }
        #expect(throws: expected) { try Bech32.decode(string) }
    }

    @Test func lengthLimitIsTheCallersChoice() throws {
        let long = "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx"
        #expect(throws: NIP19Error.tooLong(length: 91, maximum: 90)) { try Bech32.decode(long, maxLength: 90) }
        // The BIP-173 90-character cap is lifted by default.
        #expect(try Bech32.decode(long).hrp.count == 84)
        let big = Bech32.encode(hrp: "x", data: [UInt8](repeating: 7, count: 3200))
        #expect(throws: NIP19Error.tooLong(length: big.utf8.count, maximum: 5000)) { try Bech32.decode(big) }
        #expect(try Bech32.decode(big, maxLength: big.utf8.count).data.count == 3200)
    }

    @Test func everySingleCharacterSubstitutionBreaksTheChecksum() throws {
        let valid = "npub10elfcs4fr0l0r8af98jlmgdh9c8tcxjvz9qkw038js35mp4dma8qzvjptg"
        let characters = Array(valid)
        let separator = characters.lastIndex(of: "1")!
        for position in (separator + 1)..<characters.count {
            for replacement in bech32Alphabet where replacement != characters[position] {
                var mutated = characters
                mutated[position] = replacement
                #expect(throws: NIP19Error.badChecksum) { try Bech32.decode(String(mutated)) }
            }
        }
    }

    @Test func paddingIsChecked() throws {
        // 5 leftover bits: a whole 5-bit group of padding.
        #expect(throws: NIP19Error.invalidPadding) { try Bech32.decode(Bech32.encode(hrp: "a", words: [0])) }
        // 2 leftover bits that are not zero.
        #expect(throws: NIP19Error.invalidPadding) { try Bech32.decode(Bech32.encode(hrp: "a", words: [0, 1])) }
        // 2 leftover zero bits are fine.
        #expect(try Bech32.decode(Bech32.encode(hrp: "a", words: [31, 28])).data == [0xFF])
        // The 5-bit form stays available.
        #expect(try Bech32.decodeWords(Bech32.encode(hrp: "a", words: [0, 1])).words == [0, 1])
    }

    @Test func bytesRoundTripAtEveryLength() throws {
        var generator = SystemRandomNumberGenerator()
        for length in 0...80 {
            let data = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let encoded = Bech32.encode(hrp: "test", data: data)
            #expect(encoded.utf8.count == 4 + 1 + (length * 8 + 4) / 5 + 6)
            let decoded = try Bech32.decode(encoded)
            #expect(decoded.hrp == "test")
            #expect(decoded.data == data)
            #expect(try Bech32.decode(encoded.uppercased()).data == data)
        }
    }
}

// MARK: - NIP-19 entities

@Suite struct NIP19Tests {
    // From the NIP-19 text.
    static let nipPubkeyHex = "7e7e9c42a91bfef19fa929e5fda1b72e0ebc1a4c1141673e2794234d86addf4e"
    static let nipNpub = "npub10elfcs4fr0l0r8af98jlmgdh9c8tcxjvz9qkw038js35mp4dma8qzvjptg"
    static let nipSecretHex = "67dea2ed018072d675f5415ecfaed7d2597555e202d85b3d65ea4e58d2d92ffa"
    static let nipNsec = "nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5"
    static let fiatjafHex = "3bf0c63fcb93463407af97a5e5ee64fa883d107ef9e558472c4eb9aaaefa459d"
    static let fiatjafNpub = "npub180cvv07tjdrrgpa0j7j7tmnyl2yr6yr7l8j4s3evf6u64th6gkwsyjh6w6"
    static let nipNprofile =
        "nprofile1qqsrhuxx8l9ex335q7he0f09aej04zpazpl0ne2cgukyawd24mayt8gpp4mhxue69uhhytnc9e3k7mgp"
        + "z4mhxue69uhkg6nzv9ejuumpv34kytnrdaksjlyr9p"
    static let fiatjaf = PublicKey(hex: fiatjafHex)!
    static let sampleID = EventID(hex: "b9f5441e45ca39179320e0031cfb18e34078673dcc3d3e3a3b3a981760aa5696")!

    @Test func npubVectors() throws {
        let key = try #require(PublicKey(hex: Self.nipPubkeyHex))
        #expect(try NIP19.encode(.npub(key)) == Self.nipNpub)
        #expect(try NIP19.decode(Self.nipNpub) == .npub(key))
        #expect(key.npub == Self.nipNpub)
        #expect(PublicKey(npub: Self.nipNpub) == key)

        #expect(Self.fiatjaf.npub == Self.fiatjafNpub)
        #expect(PublicKey(npub: Self.fiatjafNpub) == Self.fiatjaf)
    }

    @Test func nsecVector() throws {
        let key = try #require(SecretKey(hex: Self.nipSecretHex))
        #expect(try NIP19.encode(.nsec(key)) == Self.nipNsec)
        let decoded = try NIP19.decode(Self.nipNsec)
        guard case .nsec(let secret) = decoded else {
            Issue.record("decoded \(decoded) instead of an nsec")
            return
        }
        #expect(secret.hex == Self.nipSecretHex)
    }

    @Test func nprofileVector() throws {
        let relays = ["wss://r.x.com", "wss://djbas.sadkb.com"]
        #expect(try NIP19.decode(Self.nipNprofile) == .nprofile(Self.fiatjaf, relays: relays))
        #expect(try NIP19.encode(.nprofile(Self.fiatjaf, relays: relays)) == Self.nipNprofile)
        #expect(try NIP19.decode(Self.nipNprofile.uppercased()) == .nprofile(Self.fiatjaf, relays: relays))
    }

    // Computed with the BIP-173 Python reference code and hand-built TLV.
    @Test func noteNeventAndNaddrVectors() throws {
        let note = "note1h865g8j9egu30yequqp3e7ccudq8seeaes7nuw3m82vpwc9226tqtudlvp"
        #expect(Self.sampleID.note == note)
        #expect(EventID(note: note) == Self.sampleID)
        #expect(try NIP19.decode(note) == .note(Self.sampleID))

        let nevent =
            "nevent1qqstna2yrezu5wghjvswqqculvvwxsrcvu7uc0f78gan4xqhvz49d9spp4mhxue69uhkummn9ekx7mqzyqalp"
            + "33lewf5vdq847t6te0wvnags0gs0mu72kz8938tn24wlfze6qcyqqqqqqgav4eej"
        let neventEntity = NIP19.Entity.nevent(Self.sampleID, relays: ["wss://nos.lol"], author: Self.fiatjaf, kind: 1)
        #expect(try NIP19.encode(neventEntity) == nevent)
        #expect(try NIP19.decode(nevent) == neventEntity)

        let naddr =
            "naddr1qqyh0sakwfkxgtwrhsq3xamnwvaz7tmjv4kxz7fwv4uxzmtsd3jsygpm7rrrljungc6q0tuh5hj7ue863q73qlheu4"
            + "vywtzwhx42a7j9n5psgqqqw4rsa2d7qe"
        let naddrEntity = NIP19.Entity.naddr(
            identifier: "wörld-ü", author: Self.fiatjaf, kind: 30023, relays: ["wss://relay.example"])
        #expect(try NIP19.encode(naddrEntity) == naddr)
        #expect(try NIP19.decode(naddr) == naddrEntity)
    }

    // MARK: Round trips

    private func expectRoundTrip(_ entity: NIP19.Entity, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let encoded = try NIP19.encode(entity)
        #expect(encoded.hasPrefix(entity.prefix + "1"), sourceLocation: sourceLocation)
        #expect(encoded == encoded.lowercased(), sourceLocation: sourceLocation)
        #expect(try NIP19.decode(encoded) == entity, sourceLocation: sourceLocation)
    }

    @Test func bareEntitiesRoundTrip() throws {
        for _ in 0..<20 {
            let secret = SecretKey.generate()
            try expectRoundTrip(.npub(randomPublicKey()))
            try expectRoundTrip(.npub(secret.publicKey))
            try expectRoundTrip(.nsec(secret))
            try expectRoundTrip(.note(randomEventID()))
            let key = randomPublicKey()
            #expect(PublicKey(npub: key.npub) == key)
            let id = randomEventID()
            #expect(EventID(note: id.note) == id)
        }
    }

    @Test func nprofileRoundTrips() throws {
        try expectRoundTrip(.nprofile(randomPublicKey(), relays: []))
        try expectRoundTrip(.nprofile(randomPublicKey(), relays: ["wss://one.example"]))
        try expectRoundTrip(
            .nprofile(
                randomPublicKey(),
                relays: ["wss://a.example", "wss://b.example/path", "ws://c.example:8080", "wss://a.example"]))
    }

    @Test func neventRoundTrips() throws {
        let relaySets: [[String]] = [[], ["wss://relay.damus.io"], ["wss://a", "wss://b", "wss://c"]]
        for relays in relaySets {
            for author in [nil, randomPublicKey()] {
                for kind in [nil, Kind(rawValue: 0), Kind(rawValue: 1), Kind(rawValue: 30023), Kind(rawValue: 65535)] {
                    try expectRoundTrip(.nevent(randomEventID(), relays: relays, author: author, kind: kind))
                }
            }
        }
    }

    @Test func naddrRoundTrips() throws {
        for identifier in ["", "my-article", "日本語の記事 🌸", String(repeating: "é", count: 127)] {
            for relays in [[], ["wss://relay.example"], ["wss://x", "wss://ÿ.example"]] {
                try expectRoundTrip(
                    .naddr(
                        identifier: identifier, author: randomPublicKey(), kind: Kind(rawValue: .random(in: 0...65535)),
                        relays: relays))
            }
        }
    }

    @Test func oversizedNaddrIdentifierThrows() throws {
        let key = randomPublicKey()
        let fits = String(repeating: "d", count: 255)
        #expect(
            try NIP19.decode(NIP19.encode(.naddr(identifier: fits, author: key, kind: 30000, relays: [])))
                == .naddr(identifier: fits, author: key, kind: 30000, relays: []))
        #expect(throws: NIP19Error.identifierTooLong(256)) {
            try NIP19.encode(.naddr(identifier: fits + "d", author: key, kind: 30000, relays: []))
        }
    }

    @Test func oversizedRelaysAreLeftOut() throws {
        let key = randomPublicKey()
        let huge = "wss://" + String(repeating: "a", count: 250)
        let encoded = try NIP19.encode(.nprofile(key, relays: ["wss://ok", huge, "wss://fine"]))
        #expect(try NIP19.decode(encoded) == .nprofile(key, relays: ["wss://ok", "wss://fine"]))
    }

    // MARK: Lenient decoding

    @Test func unknownTLVTypesAreIgnored() throws {
        let data =
            tlv(0, Self.fiatjaf.raw.bytes) + tlv(9, Array("hello".utf8)) + tlv(1, Array("wss://a".utf8))
            + tlv(255, [])
        let string = Bech32.encode(hrp: "nprofile", data: data)
        #expect(try NIP19.decode(string) == .nprofile(Self.fiatjaf, relays: ["wss://a"]))
    }

    @Test func theFirstOfRepeatedSingleValuedRecordsWins() throws {
        let other = randomPublicKey()
        let data =
            tlv(0, Self.sampleID.raw.bytes) + tlv(2, Self.fiatjaf.raw.bytes) + tlv(2, other.raw.bytes)
            + tlv(3, [0, 0, 0, 7]) + tlv(3, [0, 0, 0, 9])
        let string = Bech32.encode(hrp: "nevent", data: data)
        #expect(try NIP19.decode(string) == .nevent(Self.sampleID, relays: [], author: Self.fiatjaf, kind: 7))
    }

    // MARK: Errors

    static let key = fiatjaf.raw.bytes
    static let id = sampleID.raw.bytes
    static let kind30023: [UInt8] = [0, 0, 0x75, 0x47]

    static let errorCases: [(String, NIP19Error)] = [
        // Bech32 level.
        ("npub10elfcs4fr0l0r8af98jlmgdh9c8tcxjvz9qkw038js35mp4dma8qzvjptq", .badChecksum),
        ("npub10elfcs4fr0l0r8af98jlmgdh9c8tcxjvz9qkw038js35mp4dma8qzvjPTG", .mixedCase),
        ("npub10elfcs4fr0l0r8af98jlmgdh9c8tcxjvz9qkw038js35mp4dma8qzvjptb", .invalidCharacter(at: 62)),
        ("0elfcs4fr0l0r8af98jlmgdh9c8tcxjvz9qkw038js35mp4dma8qzvjptg", .missingSeparator),
        (Bech32.encode(hrp: "npub", words: Array(repeating: 3, count: 53)), .invalidPadding),
        // Prefix.
        ("nrelay1qqrhwumn8ghj7cgs8r4up", .unknownPrefix("nrelay")),
        (Bech32.encode(hrp: "nostr", data: key), .unknownPrefix("nostr")),
        (Bech32.encode(hrp: "npu", data: key), .unknownPrefix("npu")),
        // Bare lengths and secret key validity.
        ("npub180cvv07tjdrrgpa0j7j7tmnyl2yr6yr7l8j4s3evf6u64th6g5f6fxy8", .wrongDataLength(prefix: "npub", length: 31)),
        (Bech32.encode(hrp: "note", data: id + [0]), .wrongDataLength(prefix: "note", length: 33)),
        (Bech32.encode(hrp: "nsec", data: []), .wrongDataLength(prefix: "nsec", length: 0)),
        ("nsec1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqwkhnav", .invalidSecretKey),
        (
            Bech32.encode(
                hrp: "nsec", data: hexBytes("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")),
            .invalidSecretKey
        ),
        // Truncated TLV.
        ("nprofile1qqsrhuxx8l9ex335q7he0f09aej04zpazpl0ne2cgukyawd24mayt8gppfmhxucge8nfc", .truncatedTLV),
        ("nprofile1qqsrhuxx8l9ex335q7he0f09aej04zpazpl0ne2cgukyawd24mayt8gp0l4q3r", .truncatedTLV),
        (Bech32.encode(hrp: "naddr", data: tlv(0, [0x78]) + tlv(2, key) + [3, 4, 0, 0]), .truncatedTLV),
        // Wrong lengths of known types.
        (
            "nprofile1qq0nhuxx8l9ex335q7he0f09aej04zpazpl0ne2cgukyawd24may2nlp78g",
            .wrongTLVLength(type: 0, length: 31, expected: 32)
        ),
        (Bech32.encode(hrp: "nevent", data: tlv(0, id + [1])), .wrongTLVLength(type: 0, length: 33, expected: 32)),
        (
            "nevent1qqstna2yrezu5wghjvswqqculvvwxsrcvu7uc0f78gan4xqhvz49d9szzsalp33lewf5vdq847t6te0wvnags0gs0c3alwcj",
            .wrongTLVLength(type: 2, length: 20, expected: 32)
        ),
        (
            "naddr1qqqhsq3q80cvv07tjdrrgpa0j7j7tmnyl2yr6yr7l8j4s3evf6u64th6gkwsxqsqqyjtqfle",
            .wrongTLVLength(type: 3, length: 2, expected: 4)
        ),
        (
            Bech32.encode(hrp: "naddr", data: tlv(0, [0x78]) + tlv(2, key + [0]) + tlv(3, kind30023)),
            .wrongTLVLength(type: 2, length: 33, expected: 32)
        ),
        // Missing required records.
        ("nprofile1qyrhwumn8ghj7cgxj06nw", .missingTLV(type: 0, prefix: "nprofile")),
        (Bech32.encode(hrp: "nprofile", data: []), .missingTLV(type: 0, prefix: "nprofile")),
        (Bech32.encode(hrp: "nevent", data: tlv(2, key)), .missingTLV(type: 0, prefix: "nevent")),
        (Bech32.encode(hrp: "naddr", data: tlv(2, key) + tlv(3, kind30023)), .missingTLV(type: 0, prefix: "naddr")),
        (
            "naddr1qqqhsq3q80cvv07tjdrrgpa0j7j7tmnyl2yr6yr7l8j4s3evf6u64th6gkwst287r7",
            .missingTLV(type: 3, prefix: "naddr")
        ),
        ("naddr1qqqhsqcyqqq823cu5567s", .missingTLV(type: 2, prefix: "naddr")),
        // Kind range and string encoding.
        ("nevent1qqstna2yrezu5wghjvswqqculvvwxsrcvu7uc0f78gan4xqhvz49d9srqsqqzqqqkdqwde", .kindOutOfRange(65536)),
        (
            Bech32.encode(hrp: "naddr", data: tlv(0, []) + tlv(2, key) + tlv(3, [0xFF, 0xFF, 0xFF, 0xFF])),
            .kindOutOfRange(UInt32.max)
        ),
        ("nprofile1qqsrhuxx8l9ex335q7he0f09aej04zpazpl0ne2cgukyawd24mayt8gpqtllujlm8dl", .invalidUTF8(type: 1)),
        (Bech32.encode(hrp: "naddr", data: tlv(0, [0xC3]) + tlv(2, key) + tlv(3, kind30023)), .invalidUTF8(type: 0)),
    ]

    @Test(arguments: errorCases)
    func malformedStringsAreRejected(_ string: String, _ expected: NIP19Error) {
        #expect(throws: expected) { try NIP19.decode(string) }
    }

    @Test func errorsAreDistinctAndDescriptive() {
        let errors: [NIP19Error] = [
            .tooLong(length: 6000, maximum: 5000), .invalidCharacter(at: 3), .mixedCase, .missingSeparator,
            .emptyHumanReadablePart, .checksumTooShort, .badChecksum, .invalidPadding, .unknownPrefix("x"),
            .wrongDataLength(prefix: "npub", length: 31), .invalidSecretKey, .truncatedTLV,
            .wrongTLVLength(type: 0, length: 31, expected: 32), .missingTLV(type: 3, prefix: "naddr"),
            .invalidUTF8(type: 1), .kindOutOfRange(70000),
        ]
        #expect(Set(errors).count == errors.count)
        #expect(Set(errors.map(\.description)).count == errors.count)
        #expect(NIP19Error.missingTLV(type: 3, prefix: "naddr").description.contains("naddr"))
        #expect(NIP19Error.kindOutOfRange(70000).description.contains("70000"))
        #expect(NIP19Error.badChecksum.description.contains("checksum"))
    }

    @Test func conveniencesRejectOtherEntities() {
        #expect(PublicKey(npub: Self.nipNprofile) == nil)
        #expect(PublicKey(npub: Self.sampleID.note) == nil)
        #expect(PublicKey(npub: "npub1garbage") == nil)
        #expect(EventID(note: Self.fiatjafNpub) == nil)
    }

    @Test func overlongStringsAreRejected() throws {
        let relays = (0..<80).map { "wss://relay-number-\($0).example.com/with/a/fairly/long/path/segment" }
        let encoded = try NIP19.encode(.nprofile(Self.fiatjaf, relays: relays))
        #expect(encoded.utf8.count > 5000)
        #expect(throws: NIP19Error.tooLong(length: encoded.utf8.count, maximum: 5000)) { try NIP19.decode(encoded) }
    }
}
