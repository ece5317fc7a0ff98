import NostrCore
import NostrCoreTesting
import Testing

private func fixedKeyPair(_ last: String) -> KeyPair {
    KeyPair(secretKey: SecretKey(hex: String(repeating: "0", count: 64 - last.count) + last)!)
}

private let user = fixedKeyPair("5eed")
private let other = fixedKeyPair("0bad")
private let relayURL = "wss://relay.example.com"
private let challenge = "challenge-7f3a9c"
private let now: Int64 = 1_700_000_000

// MARK: NIP-42

@Suite struct RelayAuthenticationTests {
    private func validate(
        _ event: Event, challenge expected: String = challenge, relay: String = relayURL,
        timeWindow: Int64 = RelayAuthentication.defaultTimeWindow
    ) throws(RelayAuthentication.Failure)
        -> PublicKey
    {
        try RelayAuthentication.validate(event, challenge: expected, relayURL: relay, now: now, timeWindow: timeWindow)
    }

    @Test func makeEventShape() throws {
        let event = RelayAuthentication.makeEvent(
            challenge: challenge, relayURL: relayURL, keyPair: user, createdAt: now)
        #expect(event.kind == 22242)
        #expect(RelayAuthentication.kind == .clientAuthentication)
        #expect(event.createdAt == now)
        #expect(event.pubkey == user.publicKey)
        #expect(event.content == "")
        #expect(event.tags.first(named: "challenge")?.value == challenge)
        #expect(event.tags.first(named: "relay")?.value == relayURL)
        try event.validate()
    }

    @Test func acceptsACorrectEvent() throws {
        let event = RelayAuthentication.makeEvent(
            challenge: challenge, relayURL: relayURL, keyPair: user, createdAt: now)
        #expect(try validate(event) == user.publicKey)
        // Also after a trip through the wire format.
        let parsed = try Event(json: event.jsonString)
        #expect(try validate(parsed) == user.publicKey)
    }

    @Test func acceptsHandBuiltTagOrderAndExtraTags() throws {
        let event = user.sign(
            kind: 22242, tags: [["challenge", challenge], ["x", "y"], ["relay", relayURL + "/"]],
            content: "anything", createdAt: now)
        #expect(try validate(event) == user.publicKey)
    }

    @Test func rejectsWrongKind() {
        let event = user.sign(
            kind: 1, tags: [["relay", relayURL], ["challenge", challenge]], content: "",
            createdAt: now)
        #expect(throws: RelayAuthentication.Failure.wrongKind(1)) { try validate(event) }
        let ephemeral = user.sign(
            kind: 22243, tags: [["relay", relayURL], ["challenge", challenge]], content: "",
            createdAt: now)
        #expect(throws: RelayAuthentication.Failure.wrongKind(22243)) { try validate(ephemeral) }
    }

    @Test func rejectsMissingChallenge() {
        let none = user.sign(kind: 22242, tags: [["relay", relayURL]], content: "", createdAt: now)
        #expect(throws: RelayAuthentication.Failure.missingChallenge) { try validate(none) }
        let valueless = user.sign(
            kind: 22242, tags: [["relay", relayURL], ["challenge"]], content: "", createdAt: now)
        #expect(throws: RelayAuthentication.Failure.missingChallenge) { try validate(valueless) }
    }

    @Test(arguments: ["other", "challenge-7f3a9", "challenge-7f3a9c ", "CHALLENGE-7F3A9C", ""])
    func rejectsMismatchedChallenge(_ sent: String) {
        let event = RelayAuthentication.makeEvent(challenge: sent, relayURL: relayURL, keyPair: user, createdAt: now)
        #expect(throws: RelayAuthentication.Failure.challengeMismatch) { try validate(event) }
    }

    @Test func rejectsMissingRelay() {
        let none = user.sign(kind: 22242, tags: [["challenge", challenge]], content: "", createdAt: now)
        #expect(throws: RelayAuthentication.Failure.missingRelay) { try validate(none) }
        let valueless = user.sign(
            kind: 22242, tags: [["challenge", challenge], ["relay"]], content: "", createdAt: now)
        #expect(throws: RelayAuthentication.Failure.missingRelay) { try validate(valueless) }
    }

    @Test(arguments: [
        "wss://other.example.com", "ws://relay.example.com", "wss://relay.example.com:444",
        "wss://relay.example.com/other", "wss://relay.example.org", "wss://evil.relay.example.com",
    ])
    func rejectsAnotherRelay(_ relay: String) {
        let event = RelayAuthentication.makeEvent(challenge: challenge, relayURL: relay, keyPair: user, createdAt: now)
        #expect(throws: RelayAuthentication.Failure.relayMismatch(relay)) { try validate(event) }
    }

    @Test func timeWindowEdges() throws {
        let window = RelayAuthentication.defaultTimeWindow
        #expect(window == 600)
        for offset in [-window, -1, 0, 1, window] {
            let event = RelayAuthentication.makeEvent(
                challenge: challenge, relayURL: relayURL, keyPair: user,
                createdAt: now + offset)
            #expect(try validate(event) == user.publicKey, "offset \(offset)")
        }
        for offset in [-window - 1, window + 1, -86_400, 86_400] {
            let event = RelayAuthentication.makeEvent(
                challenge: challenge, relayURL: relayURL, keyPair: user,
                createdAt: now + offset)
            #expect(throws: RelayAuthentication.Failure.outOfTimeWindow(createdAt: now + offset, now: now)) {
                try validate(event)
            }
        }
        // A custom window.
        let early = RelayAuthentication.makeEvent(
            challenge: challenge, relayURL: relayURL, keyPair: user,
            createdAt: now - 10)
        #expect(try validate(early, timeWindow: 10) == user.publicKey)
        #expect(throws: RelayAuthentication.Failure.outOfTimeWindow(createdAt: now - 10, now: now)) {
            try validate(early, timeWindow: 9)
        }
        // Very old events (created_at 0) are refused rather than overflowing.
        let ancient = RelayAuthentication.makeEvent(
            challenge: challenge, relayURL: relayURL, keyPair: user,
            createdAt: 0)
        #expect(throws: RelayAuthentication.Failure.outOfTimeWindow(createdAt: 0, now: now)) { try validate(ancient) }
    }

    @Test func rejectsTamperedSignature() throws {
        let event = RelayAuthentication.makeEvent(
            challenge: challenge, relayURL: relayURL, keyPair: user, createdAt: now)
        var sigBytes = event.sig.bytes
        sigBytes[63] ^= 0x01
        let tampered = Event(
            id: event.id, pubkey: event.pubkey, createdAt: event.createdAt, kind: event.kind,
            tags: event.tags, content: event.content, sig: try #require(Signature(sigBytes)))
        #expect(throws: RelayAuthentication.Failure.invalidEvent(.invalidSignature)) { try validate(tampered) }

        // Another key's signature over the same id.
        let foreign = RelayAuthentication.makeEvent(
            challenge: challenge, relayURL: relayURL, keyPair: other,
            createdAt: now)
        let stolen = Event(
            id: foreign.id, pubkey: user.publicKey, createdAt: now, kind: 22242, tags: foreign.tags,
            content: "", sig: foreign.sig)
        do {
            _ = try validate(stolen)
            Issue.record("accepted an event whose id belongs to another key")
        } catch {
            guard case .invalidEvent = error else {
                Issue.record("unexpected failure \(error)")
                return
            }
            #expect(error.reason.prefix == .invalid)
        }
    }

    @Test func rejectsTamperedContent() {
        let event = RelayAuthentication.makeEvent(
            challenge: challenge, relayURL: relayURL, keyPair: user, createdAt: now)
        let tampered = Event(
            id: event.id, pubkey: event.pubkey, createdAt: event.createdAt, kind: event.kind,
            tags: event.tags, content: "changed", sig: event.sig)
        do {
            _ = try validate(tampered)
            Issue.record("accepted an event with a wrong id")
        } catch {
            guard case .invalidEvent(.idMismatch) = error else {
                Issue.record("unexpected failure \(error)")
                return
            }
            #expect(error.reason == .invalid("id is computed incorrectly"))
        }
    }

    @Test func failureReasons() {
        let failures: [RelayAuthentication.Failure] = [
            .wrongKind(1), .missingChallenge, .challengeMismatch, .missingRelay, .relayMismatch("wss://x"),
            .outOfTimeWindow(createdAt: 0, now: 1), .invalidEvent(.invalidSignature),
        ]
        for failure in failures {
            #expect(failure.reason.prefix == .invalid)
            #expect(failure.description.hasPrefix("invalid: "))
        }
        #expect(RelayAuthentication.Failure.invalidEvent(.invalidSignature).reason == .invalid("signature is invalid"))
        #expect(RelayAuthentication.Failure.relayMismatch("wss://x").reason.message.contains("wss://x"))
    }

    struct URLCase: Sendable, CustomTestStringConvertible {
        var left: String
        var right: String
        var same: Bool
        var testDescription: String { "\(left) \(same ? "==" : "!=") \(right)" }
        init(_ left: String, _ right: String, _ same: Bool) {
            self.left = left
            self.right = right
            self.same = same
        }
    }

    static let urlCases: [URLCase] = [
        URLCase("wss://Relay.Example.com/", "wss://relay.example.com", true),
        URLCase("WSS://RELAY.EXAMPLE.COM", "wss://relay.example.com", true),
        URLCase("wss://relay.example.com:443", "wss://relay.example.com", true),
        URLCase("wss://relay.example.com:443/", "wss://relay.example.com", true),
        URLCase("ws://x:80", "ws://x", true),
        URLCase("ws://x:80/", "ws://x", true),
        URLCase("wss://x/path/", "wss://x/path", true),
        URLCase("wss://x/path//", "wss://x/path", true),
        URLCase("wss://x:443/path/", "wss://x/path", true),
        URLCase("wss://x/?token=1", "wss://x", true),
        URLCase("wss://x?token=1", "wss://x", true),
        URLCase("wss://x/path?a=b#frag", "wss://x/path", true),
        URLCase("wss://x#frag", "wss://x", true),
        URLCase("  wss://x/  ", "wss://x", true),
        URLCase("wss://x:444", "wss://x", false),
        URLCase("wss://x:80", "wss://x", false),
        URLCase("ws://x:443", "ws://x", false),
        URLCase("ws://x:8080", "ws://x", false),
        URLCase("ws://x", "wss://x", false),
        URLCase("wss://x/path", "wss://x", false),
        URLCase("wss://x/Path", "wss://x/path", false),
        URLCase("wss://x/a/b", "wss://x/a", false),
        URLCase("wss://x.example.com", "wss://y.example.com", false),
    ]

    @Test(arguments: urlCases) func urlNormalisation(_ test: URLCase) {
        let left = RelayAuthentication.normalizedRelayURL(test.left)
        let right = RelayAuthentication.normalizedRelayURL(test.right)
        #expect((left == right) == test.same, "\(left) vs \(right)")
        // And validate agrees.
        let event = RelayAuthentication.makeEvent(
            challenge: challenge, relayURL: test.left, keyPair: user,
            createdAt: now)
        if test.same {
            #expect(throws: Never.self) {
                try RelayAuthentication.validate(event, challenge: challenge, relayURL: test.right, now: now)
            }
        } else {
            #expect(throws: RelayAuthentication.Failure.relayMismatch(test.left)) {
                try RelayAuthentication.validate(event, challenge: challenge, relayURL: test.right, now: now)
            }
        }
    }

    @Test func normalisedForms() {
        let normalize = RelayAuthentication.normalizedRelayURL
        #expect(normalize("wss://Relay.Example.com/") == "wss://relay.example.com")
        #expect(normalize("wss://relay.example.com:443") == "wss://relay.example.com")
        #expect(normalize("ws://x:80") == "ws://x")
        #expect(normalize("wss://x/Path/") == "wss://x/Path")
        #expect(normalize("wss://x:444/") == "wss://x:444")
        #expect(normalize("wss://x/?q=1") == "wss://x")
        #expect(normalize("wss://x/a?q=1#f") == "wss://x/a")
    }
}

// MARK: Kinds

@Suite struct KindStorageClassTests {
    static let boundaries: [(Int, StorageClass)] = [
        (0, .replaceable), (1, .regular), (2, .regular), (3, .replaceable), (4, .regular), (5, .regular),
        (44, .regular), (45, .regular), (999, .regular), (1000, .regular), (9999, .regular),
        (10000, .replaceable), (10002, .replaceable), (19999, .replaceable),
        (20000, .ephemeral), (22242, .ephemeral), (29999, .ephemeral),
        (30000, .addressable), (39999, .addressable),
        (40000, .regular), (65535, .regular),
    ]

    @Test(arguments: boundaries) func storageClass(_ number: Int, _ expected: StorageClass) throws {
        let kind = try #require(Kind(number))
        #expect(kind.storageClass == expected)
        #expect(kind.rawValue == UInt16(number))
        #expect(kind.description == String(number))
    }

    @Test func range() {
        let (minusOne, zero, max, tooBig) = (-1, 0, 65535, 65536)
        #expect(Kind(minusOne) == nil)
        #expect(Kind(tooBig) == nil)
        #expect(Kind(zero) == Kind(rawValue: 0))
        #expect(Kind(max) == 65535)
        #expect(Kind.metadata.rawValue == 0 && Kind.followList.rawValue == 3 && Kind.relayList.rawValue == 10002)
        #expect(Kind(rawValue: 1) < Kind(rawValue: 2))
    }
}

// MARK: Addresses and tag-derived properties

@Suite struct EventAddressTests {
    @Test func replaceableAddressIgnoresD() {
        for kind in [Kind(0), 3, 10000, 10002, 19999] {
            let event = user.sign(kind: kind, tags: [["d", "should-not-count"]], content: "", createdAt: 1)
            #expect(event.address == EventAddress(kind: kind, pubkey: user.publicKey, identifier: ""), "\(kind)")
        }
    }

    @Test func addressableUsesD() {
        let event = user.sign(
            kind: 30000, tags: [["title", "x"], ["d", "friends", "extra"], ["d", "second"]],
            content: "", createdAt: 1)
        #expect(event.address == EventAddress(kind: 30000, pubkey: user.publicKey, identifier: "friends"))
        #expect(event.dTag == "friends")
    }

    @Test func addressableWithoutDOrWithValuelessD() {
        let none = user.sign(kind: 30001, tags: [["t", "x"]], content: "", createdAt: 1)
        #expect(none.address == EventAddress(kind: 30001, pubkey: user.publicKey, identifier: ""))
        let valueless = user.sign(kind: 39999, tags: [["d"]], content: "", createdAt: 1)
        #expect(valueless.address == EventAddress(kind: 39999, pubkey: user.publicKey, identifier: ""))
        let empty = user.sign(kind: 30000, tags: [["d", ""]], content: "", createdAt: 1)
        #expect(empty.address == EventAddress(kind: 30000, pubkey: user.publicKey, identifier: ""))
    }

    @Test func regularAndEphemeralHaveNoAddress() {
        for kind in [Kind(1), 4, 9999, 40000, 65535, 20000, 22242, 29999] {
            let event = user.sign(kind: kind, tags: [["d", "x"]], content: "", createdAt: 1)
            #expect(event.address == nil, "\(kind)")
        }
    }

    @Test(arguments: [
        "30000:\(String(repeating: "a", count: 64)):friends", "0:\(String(repeating: "b", count: 64)):",
        "30023:\(String(repeating: "c", count: 64)):a:b:c", "65535:\(String(repeating: "0", count: 64)):é 🟣",
        "10002:\(String(repeating: "1", count: 64)):",
    ])
    func roundTrip(_ text: String) throws {
        let address = try #require(EventAddress(text))
        #expect(address.description == text)
        #expect(EventAddress(address.description) == address)
    }

    @Test func parsedFields() throws {
        let address = try #require(EventAddress("30023:\(user.publicKey.hex):post:2024"))
        #expect(address.kind == 30023)
        #expect(address.pubkey == user.publicKey)
        #expect(address.identifier == "post:2024")
        let event = user.sign(kind: 30023, tags: [["d", "post:2024"]], content: "", createdAt: 1)
        #expect(event.address == address)
        #expect(event.address?.description == "30023:\(user.publicKey.hex):post:2024")
    }

    static let hex = String(repeating: "a", count: 64)
    @Test(arguments: [
        "", "30000", "30000:", "30000:\(hex)", ":\(hex):d", "x:\(hex):d", "1.5:\(hex):d", "65536:\(hex):d",
        "-1:\(hex):d", "30000:\(hex.uppercased()):d", "30000:\(hex.dropLast()):d", "30000:\(hex)a:d",
        "30000::d", "30000:npub1xyz:d", " 30000:\(hex):d", "30000 :\(hex):d",
    ])
    func rejectsMalformed(_ text: String) {
        #expect(EventAddress(text) == nil)
    }

    /// The kind must be written canonically too, or one address would have several spellings.
    @Test(arguments: ["+30000:\(hex):d", "030000:\(hex):d", "-0:\(hex):d"])
    func rejectsNonCanonicalKindNumbers(_ text: String) {
        #expect(EventAddress(text) == nil)
    }

    @Test func supersedes() throws {
        let older = user.sign(kind: 0, tags: [[String]](), content: "old", createdAt: 100)
        let newer = user.sign(kind: 0, tags: [[String]](), content: "new", createdAt: 101)
        #expect(newer.supersedes(older))
        #expect(!older.supersedes(newer))
        #expect(!newer.supersedes(newer))

        let first = user.sign(kind: 0, tags: [[String]](), content: "a", createdAt: 200)
        let second = user.sign(kind: 0, tags: [[String]](), content: "b", createdAt: 200)
        try #require(first.id != second.id)
        let (low, high) = first.id < second.id ? (first, second) : (second, first)
        #expect(low.supersedes(high))
        #expect(!high.supersedes(low))
        // created_at wins over id order.
        let laterHigh = user.sign(kind: 0, tags: [[String]](), content: "c", createdAt: 201)
        #expect(laterHigh.supersedes(low))
    }

    @Test func expiration() {
        func event(_ tags: [[String]]) -> Event { user.sign(kind: 1, tags: tags, content: "", createdAt: 1) }
        #expect(event([["expiration", "1700000000"]]).expiration == 1_700_000_000)
        #expect(event([["t", "x"], ["expiration", "0"]]).expiration == 0)
        #expect(event([["expiration", "5"], ["expiration", "6"]]).expiration == 5)
        #expect(event([]).expiration == nil)
        #expect(event([["expiration"]]).expiration == nil)
        #expect(event([["expiration", "soon"]]).expiration == nil)
        #expect(event([["expiration", "1.5"]]).expiration == nil)
        #expect(event([["expiration", ""]]).expiration == nil)
        #expect(event([["Expiration", "5"]]).expiration == nil)
    }

    @Test func isProtected() {
        func event(_ tags: [[String]]) -> Event { user.sign(kind: 1, tags: tags, content: "", createdAt: 1) }
        #expect(event([["-"]]).isProtected)
        #expect(event([["p", String(repeating: "a", count: 64)], ["-"]]).isProtected)
        #expect(!event([["-", "x"]]).isProtected)
        #expect(!event([]).isProtected)
        #expect(!event([["--"]]).isProtected)
        #expect(!event([["_"]]).isProtected)
        #expect(!event([[]]).isProtected)
    }
}
