import NostrCore
import NostrCoreTesting
import Testing

// MARK: Fixtures

private let signer = KeyPair(secretKey: SecretKey(hex: String(repeating: "0", count: 62) + "42")!)
private let note: Event = signer.sign(
    kind: 1, tags: [["t", "nostr"]], content: "hello \"relay\"", createdAt: 1_700_000_000)
private let authEvent: Event = RelayAuthentication.makeEvent(
    challenge: "c-123", relayURL: "wss://relay.example.com", keyPair: signer, createdAt: 1_700_000_000)
private let hexA = String(repeating: "a", count: 64)

/// The event's JSON with one field's raw value replaced (fields in NIP-01 order, `id` first).
private func noteJSON(replacing field: String, with value: String) -> String {
    var fields: [(String, String)] = [
        ("id", "\"\(note.id.hex)\""), ("pubkey", "\"\(note.pubkey.hex)\""), ("created_at", "\(note.createdAt)"),
        ("kind", "\(note.kind.rawValue)"), ("tags", #"[["t","nostr"]]"#), ("content", #""hello \"relay\"""#),
        ("sig", "\"\(note.sig.hex)\""),
    ]
    for index in fields.indices where fields[index].0 == field { fields[index].1 = value }
    return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
}

/// The error `text` is refused with, or `nil` (recorded as an issue) if it parses.
private func refusal(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> ClientMessageError? {
    do {
        let message = try ClientMessage.parse(text)
        Issue.record("accepted \(text) as \(message)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

struct RefusalCase: Sendable, CustomTestStringConvertible {
    var name: String
    var text: String
    var reply: ClientMessageError.Reply
    /// Text the reason's message must contain.
    var message: String
    var testDescription: String { name }

    init(_ name: String, _ text: String, _ reply: ClientMessageError.Reply, _ message: String) {
        self.name = name
        self.text = text
        self.reply = reply
        self.message = message
    }
}

private let sub64 = String(repeating: "s", count: 64)
private let sub65 = String(repeating: "s", count: 65)

private let refusals: [RefusalCase] = [
    // Not a message at all.
    RefusalCase("malformed JSON", #"["EVENT",{"#, .notice, "malformed JSON"),
    RefusalCase("unterminated array", #"["CLOSE""#, .notice, "malformed JSON"),
    RefusalCase("bare word", "hello", .notice, "message must be a JSON array"),
    RefusalCase("empty input", "", .notice, "malformed JSON"),
    RefusalCase("object, not an array", #"{"type":"EVENT"}"#, .notice, "message must be a JSON array"),
    RefusalCase("string, not an array", #""REQ""#, .notice, "message must be a JSON array"),
    RefusalCase("empty array", "[]", .notice, "message must start with its type as a string"),
    RefusalCase("type not a string", #"[1,"sub"]"#, .notice, "message must start with its type as a string"),
    RefusalCase("type null", #"[null]"#, .notice, "message must start with its type as a string"),
    RefusalCase("unknown type", #"["FOO","sub"]"#, .notice, #"unknown message type "FOO""#),
    RefusalCase("lowercase type", #"["req","sub",{}]"#, .notice, #"unknown message type "req""#),
    RefusalCase(
        "long unknown type is shortened", "[\"\(String(repeating: "X", count: 40))\"]", .notice,
        "unknown message type \"\(String(repeating: "X", count: 32))...\""),

    // EVENT / AUTH.
    RefusalCase("EVENT without an event", #"["EVENT"]"#, .notice, "EVENT needs an event"),
    RefusalCase("EVENT with a string", #"["EVENT","{}"]"#, .notice, "event must be a JSON object"),
    RefusalCase(
        "EVENT with a bad pubkey before the id",
        "[\"EVENT\",{\"pubkey\":123,\"id\":\"\(note.id.hex)\"}]", .notice, "\"pubkey\" must be"),
    RefusalCase(
        "EVENT with an unreadable id", "[\"EVENT\",\(noteJSON(replacing: "id", with: "\"xyz\""))]", .notice,
        "\"id\" must be 64 lowercase hex characters"),
    RefusalCase(
        "EVENT with an uppercase id",
        "[\"EVENT\",\(noteJSON(replacing: "id", with: "\"\(note.id.hex.uppercased())\""))]", .notice,
        "\"id\" must be 64 lowercase hex characters"),
    RefusalCase(
        "EVENT with a bad sig", "[\"EVENT\",\(noteJSON(replacing: "sig", with: "\"zz\""))]", .ok(note.id),
        "\"sig\" must be 128 lowercase hex characters"),
    RefusalCase(
        "EVENT with a numeric sig", "[\"EVENT\",\(noteJSON(replacing: "sig", with: "7"))]", .ok(note.id),
        "\"sig\" must be 128 lowercase hex characters"),
    RefusalCase(
        "EVENT with kind 65536", "[\"EVENT\",\(noteJSON(replacing: "kind", with: "65536"))]", .ok(note.id),
        "\"kind\" must be between 0 and 65535"),
    RefusalCase(
        "EVENT with kind \"1\"", "[\"EVENT\",\(noteJSON(replacing: "kind", with: "\"1\""))]", .ok(note.id),
        "\"kind\" must be an integer"),
    RefusalCase(
        "EVENT with kind 1.5", "[\"EVENT\",\(noteJSON(replacing: "kind", with: "1.5"))]", .ok(note.id),
        "not a fraction or exponent"),
    RefusalCase(
        "EVENT with negative created_at",
        "[\"EVENT\",\(noteJSON(replacing: "created_at", with: "-1"))]", .ok(note.id),
        "\"created_at\" must not be negative"),
    RefusalCase(
        "EVENT with bad tags", "[\"EVENT\",\(noteJSON(replacing: "tags", with: "[[1]]"))]", .ok(note.id),
        "tag elements must be strings"),
    RefusalCase(
        "EVENT with an extra element", "[\"EVENT\",\(note.jsonString),1]", .ok(note.id),
        "too many elements in EVENT"),
    RefusalCase(
        "EVENT with a second event", "[\"EVENT\",\(note.jsonString),\(note.jsonString)]", .ok(note.id),
        "too many elements in EVENT"),
    RefusalCase(
        "EVENT with trailing garbage", "[\"EVENT\",\(note.jsonString)] x", .ok(note.id),
        "unexpected data after the end"),
    RefusalCase(
        "AUTH with a bad sig",
        #"["AUTH",{"id":"\#(authEvent.id.hex)","pubkey":"\#(authEvent.pubkey.hex)","created_at":1,"kind":22242,"tags":[],"content":"","sig":"00"}]"#,
        .ok(authEvent.id), "\"sig\" must be 128 lowercase hex characters"),
    RefusalCase(
        "AUTH with an extra element", "[\"AUTH\",\(authEvent.jsonString),\"x\"]", .ok(authEvent.id),
        "too many elements in AUTH"),

    // REQ / COUNT.
    RefusalCase(
        "REQ with a bad filter", #"["REQ","sub",{"kinds":"1"}]"#, .closed(subscriptionID: "sub"),
        #""kinds" must be an array of integers"#),
    RefusalCase(
        "REQ with a bad second filter", #"["REQ","sub",{"kinds":[1]},{"since":-1}]"#,
        .closed(subscriptionID: "sub"), #""since" must be a non-negative integer"#),
    RefusalCase(
        "REQ with a non-object filter", #"["REQ","sub",[]]"#, .closed(subscriptionID: "sub"),
        "a filter must be a JSON object"),
    RefusalCase(
        "REQ with no filter", #"["REQ","sub"]"#, .closed(subscriptionID: "sub"),
        "REQ needs at least one filter"),
    RefusalCase(
        "REQ with trailing garbage", #"["REQ","sub",{}]]"#, .closed(subscriptionID: "sub"),
        "unexpected data after the end"),
    RefusalCase("REQ cut off after the id", #"["REQ","sub","#, .closed(subscriptionID: "sub"), "malformed JSON"),
    RefusalCase(
        "COUNT with a bad filter", #"["COUNT","c1",{"ids":["ABC"]}]"#, .closed(subscriptionID: "c1"),
        #""ids" must hold 64-character lowercase hex"#),
    RefusalCase(
        "COUNT with no filter", #"["COUNT","c1"]"#, .closed(subscriptionID: "c1"),
        "COUNT needs at least one filter"),

    // Subscription ids.
    RefusalCase("REQ without a subscription id", #"["REQ"]"#, .notice, "REQ needs a subscription id"),
    RefusalCase(
        "REQ with an empty subscription id", #"["REQ","",{}]"#, .notice,
        "subscription id must be 1 to 64 characters"),
    RefusalCase(
        "REQ with a 65-character subscription id", "[\"REQ\",\"\(sub65)\",{}]", .notice,
        "subscription id must be 1 to 64 characters"),
    RefusalCase(
        "REQ with 65 é", "[\"REQ\",\"\(String(repeating: "é", count: 65))\",{}]", .notice,
        "subscription id must be 1 to 64 characters"),
    RefusalCase(
        "REQ with a numeric subscription id", #"["REQ",1,{}]"#, .notice,
        "REQ subscription id must be a string"),
    RefusalCase(
        "REQ with a null subscription id", #"["REQ",null,{}]"#, .notice,
        "REQ subscription id must be a string"),
    RefusalCase(
        "COUNT with an array subscription id", #"["COUNT",["sub"],{}]"#, .notice,
        "COUNT subscription id must be a string"),
    RefusalCase("CLOSE without a subscription id", #"["CLOSE"]"#, .notice, "CLOSE needs a subscription id"),
    RefusalCase(
        "CLOSE with a numeric subscription id", #"["CLOSE",7]"#, .notice,
        "CLOSE subscription id must be a string"),
    RefusalCase(
        "CLOSE with an empty subscription id", #"["CLOSE",""]"#, .notice,
        "subscription id must be 1 to 64 characters"),
    RefusalCase("CLOSE with an extra element", #"["CLOSE","sub","extra"]"#, .notice, "too many elements in CLOSE"),
    RefusalCase("CLOSE with trailing garbage", #"["CLOSE","sub"],"#, .notice, "unexpected data after the end"),

    // Negentropy.
    RefusalCase(
        "NEG-OPEN with a non-hex message", #"["NEG-OPEN","neg",{},"zz"]"#,
        .negentropyError(subscriptionID: "neg"), "NEG-OPEN message must be lowercase hex"),
    RefusalCase(
        "NEG-OPEN with an uppercase hex message", #"["NEG-OPEN","neg",{},"61AB"]"#,
        .negentropyError(subscriptionID: "neg"), "NEG-OPEN message must be lowercase hex"),
    RefusalCase(
        "NEG-OPEN with an odd-length message", #"["NEG-OPEN","neg",{},"610"]"#,
        .negentropyError(subscriptionID: "neg"), "NEG-OPEN message must be lowercase hex"),
    RefusalCase(
        "NEG-OPEN with a numeric message", #"["NEG-OPEN","neg",{},61]"#,
        .negentropyError(subscriptionID: "neg"), "NEG-OPEN message must be a hex string"),
    RefusalCase(
        "NEG-OPEN without a message", #"["NEG-OPEN","neg",{}]"#,
        .negentropyError(subscriptionID: "neg"), "NEG-OPEN needs a hex message"),
    RefusalCase(
        "NEG-OPEN without a filter", #"["NEG-OPEN","neg"]"#,
        .negentropyError(subscriptionID: "neg"), "NEG-OPEN needs a filter"),
    RefusalCase(
        "NEG-OPEN with a bad filter", #"["NEG-OPEN","neg",{"limit":-5},"61"]"#,
        .negentropyError(subscriptionID: "neg"), #""limit" must be a non-negative integer"#),
    RefusalCase(
        "NEG-OPEN with an extra element", #"["NEG-OPEN","neg",{},"61","62"]"#,
        .negentropyError(subscriptionID: "neg"), "too many elements in NEG-OPEN"),
    RefusalCase(
        "NEG-OPEN with a bad subscription id", #"["NEG-OPEN","",{},"61"]"#, .notice,
        "subscription id must be 1 to 64 characters"),
    RefusalCase(
        "NEG-MSG with uppercase hex", #"["NEG-MSG","neg","AB"]"#, .negentropyError(subscriptionID: "neg"),
        "NEG-MSG message must be lowercase hex"),
    RefusalCase(
        "NEG-MSG with an extra element", #"["NEG-MSG","neg","ab",1]"#,
        .negentropyError(subscriptionID: "neg"), "too many elements in NEG-MSG"),
    RefusalCase(
        "NEG-MSG with trailing garbage", #"["NEG-MSG","neg","ab"]]"#,
        .negentropyError(subscriptionID: "neg"), "unexpected data after the end"),
    RefusalCase(
        "NEG-CLOSE with an extra element", #"["NEG-CLOSE","neg",{}]"#, .notice,
        "too many elements in NEG-CLOSE"),
]

@Suite struct ClientMessageParsingTests {
    @Test func event() throws {
        let parsed = try ClientMessage.parse("[\"EVENT\",\(note.jsonString)]")
        #expect(parsed == .event(note))
        guard case .event(let event) = parsed else { return }
        #expect(event.rawJSON == note.rawJSON)
        try event.validate()
    }

    @Test func eventWithWhitespace() throws {
        let parsed = try ClientMessage.parse(" [ \"EVENT\" ,\n\t\(note.jsonString) ] \n")
        #expect(parsed == .event(note))
    }

    @Test func requestWithOneFilter() throws {
        let parsed = try ClientMessage.parse(#"["REQ","sub1",{"kinds":[1],"limit":10}]"#)
        #expect(parsed == .request(subscriptionID: "sub1", filters: [Filter(kinds: [1], limit: 10)]))
    }

    @Test func requestWithThreeFilters() throws {
        let parsed = try ClientMessage.parse(
            ##"["REQ","feed",{"authors":["\##(hexA)"]},{"#t":["nostr"],"since":5},{}]"##)
        #expect(
            parsed
                == .request(
                    subscriptionID: "feed",
                    filters: [
                        Filter(authors: [PublicKey(hex: hexA)!]),
                        Filter(tags: [TagCondition("t", ["nostr"])], since: 5),
                        Filter(),
                    ]))
    }

    @Test func close() throws {
        #expect(try ClientMessage.parse(#"["CLOSE","sub1"]"#) == .close(subscriptionID: "sub1"))
    }

    @Test func count() throws {
        #expect(
            try ClientMessage.parse(#"["COUNT","c",{"kinds":[3]},{"kinds":[0]}]"#)
                == .count(subscriptionID: "c", filters: [Filter(kinds: [3]), Filter(kinds: [0])]))
    }

    @Test func auth() throws {
        let parsed = try ClientMessage.parse("[\"AUTH\",\(authEvent.jsonString)]")
        #expect(parsed == .auth(authEvent))
    }

    @Test func negentropyOpen() throws {
        #expect(
            try ClientMessage.parse(#"["NEG-OPEN","neg1",{"kinds":[3]},"6100ff"]"#)
                == .negentropyOpen(subscriptionID: "neg1", filter: Filter(kinds: [3]), message: [0x61, 0x00, 0xFF]))
    }

    @Test func negentropyMessage() throws {
        #expect(
            try ClientMessage.parse(#"["NEG-MSG","neg1","0123456789abcdef"]"#)
                == .negentropyMessage(
                    subscriptionID: "neg1", message: [0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF]))
        #expect(
            try ClientMessage.parse(#"["NEG-MSG","neg1",""]"#)
                == .negentropyMessage(subscriptionID: "neg1", message: []))
    }

    @Test func negentropyClose() throws {
        #expect(try ClientMessage.parse(#"["NEG-CLOSE","neg1"]"#) == .negentropyClose(subscriptionID: "neg1"))
    }

    @Test func parsesBytesAndBuffers() throws {
        let bytes = Array(#"["CLOSE","x"]"#.utf8)
        #expect(try ClientMessage.parse(bytes) == .close(subscriptionID: "x"))
        let viaBuffer = try bytes.withUnsafeBytes { buffer throws(ClientMessageError) in
            try ClientMessage.parse(buffer)
        }
        #expect(viaBuffer == .close(subscriptionID: "x"))
    }

    @Test func subscriptionIDLengths() throws {
        #expect(ClientMessage.maxSubscriptionIDLength == 64)
        #expect(try ClientMessage.parse("[\"CLOSE\",\"\(sub64)\"]") == .close(subscriptionID: sub64))
        #expect(try ClientMessage.parse(#"["CLOSE","a"]"#) == .close(subscriptionID: "a"))
        // Multi-byte characters count once each.
        let accented = String(repeating: "é", count: 64)
        #expect(accented.utf8.count == 128)
        #expect(
            try ClientMessage.parse("[\"REQ\",\"\(accented)\",{}]")
                == .request(subscriptionID: accented, filters: [Filter()]))
        let emoji = String(repeating: "🟣", count: 64)
        #expect(emoji.utf8.count == 256)
        #expect(try ClientMessage.parse("[\"CLOSE\",\"\(emoji)\"]") == .close(subscriptionID: emoji))
        // An escaped id counts its decoded characters, not its escape sequences.
        let escaped = String(repeating: #"\u00e9"#, count: 64)
        #expect(try ClientMessage.parse("[\"CLOSE\",\"\(escaped)\"]") == .close(subscriptionID: accented))
        // One more character fails in each spelling.
        #expect(refusal("[\"CLOSE\",\"\(sub65)\"]")?.reply == .notice)
        #expect(refusal("[\"CLOSE\",\"\(String(repeating: "🟣", count: 65))\"]")?.reply == .notice)
    }

    @Test(arguments: refusals) func refuses(_ test: RefusalCase) throws {
        let error = try #require(refusal(test.text))
        #expect(error.reply == test.reply)
        #expect(error.reason.prefix == .invalid)
        #expect(error.reason.message.contains(test.message), "message was: \(error.reason.message)")
        #expect(error.description == error.reason.description)
        // The reply always renders as valid JSON.
        #expect(throws: Never.self) { try JSONValue.parse(error.relayMessage.encoded) }
    }

    @Test func refusalsRenderTheRightRelayMessage() throws {
        let badSig = try #require(refusal("[\"EVENT\",\(noteJSON(replacing: "sig", with: "\"zz\""))]"))
        #expect(
            badSig.relayMessage.jsonString
                == #"["OK","\#(note.id.hex)",false,"invalid: \"sig\" must be 128 lowercase hex characters"]"#)

        let badFilter = try #require(refusal(#"["REQ","sub",{"kinds":"1"}]"#))
        #expect(
            badFilter.relayMessage.jsonString
                == #"["CLOSED","sub","invalid: \"kinds\" must be an array of integers"]"#)

        let notArray = try #require(refusal(#"{"a":1}"#))
        #expect(notArray.relayMessage.jsonString == #"["NOTICE","invalid: message must be a JSON array"]"#)

        let unknown = try #require(refusal(#"["HELLO"]"#))
        #expect(unknown.relayMessage.jsonString == #"["NOTICE","invalid: unknown message type \"HELLO\""]"#)

        let badNeg = try #require(refusal(#"["NEG-MSG","n","XYZ"]"#))
        #expect(badNeg.relayMessage.jsonString == #"["NEG-ERR","n","invalid: NEG-MSG message must be lowercase hex"]"#)
    }

    @Test func refusalRelayMessageCases() {
        let reason = Reason.invalid("bad")
        #expect(ClientMessageError(reply: .notice, reason: reason).relayMessage == .notice("invalid: bad"))
        #expect(
            ClientMessageError(reply: .ok(note.id), reason: reason).relayMessage
                == .ok(eventID: note.id, accepted: false, reason: reason))
        #expect(
            ClientMessageError(reply: .closed(subscriptionID: "s"), reason: reason).relayMessage
                == .closed(subscriptionID: "s", reason: reason))
        #expect(
            ClientMessageError(reply: .negentropyError(subscriptionID: "n"), reason: reason).relayMessage
                == .negentropyError(subscriptionID: "n", reason: reason))
    }

    @Test func closedNamesAnEscapedSubscriptionID() throws {
        let error = try #require(refusal(#"["REQ","a\"b\\c",{"kinds":{}}]"#))
        #expect(error.reply == .closed(subscriptionID: #"a"b\c"#))
        #expect(error.relayMessage.jsonString.hasPrefix(#"["CLOSED","a\"b\\c","invalid: "#))
    }
}

// MARK: Relay messages

@Suite struct RelayMessageEncodingTests {
    private static let id = note.id.hex

    @Test func eventSplicesRawBytes() throws {
        let spaced = """
            {
              "id": "\(note.id.hex)",  "pubkey" : "\(note.pubkey.hex)",
              "created_at":\t\(note.createdAt), "kind": 1,
              "tags": [ ["t", "nostr"] ],
              "content": "hello \\"relay\\"", "sig": "\(note.sig.hex)"
            }
            """
        let parsed = try Event(json: spaced)
        #expect(parsed == note)
        #expect(parsed.rawJSON == Array(spaced.utf8))
        let message = RelayMessage.event(subscriptionID: "sub", eventJSON: parsed.rawJSON)
        #expect(message.encoded == Array(#"["EVENT","sub","#.utf8) + Array(spaced.utf8) + [UInt8(ascii: "]")])
        #expect(message.jsonString == "[\"EVENT\",\"sub\",\(spaced)]")
        let value = try JSONValue.parse(message.encoded)
        #expect(value.arrayValue?.count == 3)
        #expect(value.arrayValue?[2]["content"]?.stringValue == #"hello "relay""#)
    }

    @Test func eventCompact() {
        #expect(
            RelayMessage.event(subscriptionID: "s", eventJSON: note.rawJSON).jsonString
                == "[\"EVENT\",\"s\",\(note.jsonString)]")
    }

    @Test func ok() {
        #expect(
            RelayMessage.ok(eventID: note.id, accepted: true, reason: nil).jsonString
                == #"["OK","\#(Self.id)",true,""]"#)
        #expect(
            RelayMessage.ok(eventID: note.id, accepted: false, reason: nil).jsonString
                == #"["OK","\#(Self.id)",false,""]"#)
        #expect(
            RelayMessage.ok(eventID: note.id, accepted: true, reason: .duplicate("already have it")).jsonString
                == #"["OK","\#(Self.id)",true,"duplicate: already have it"]"#)
        #expect(
            RelayMessage.ok(eventID: note.id, accepted: false, reason: .rateLimited("slow down")).jsonString
                == #"["OK","\#(Self.id)",false,"rate-limited: slow down"]"#)
        #expect(
            RelayMessage.ok(eventID: note.id, accepted: false, reason: .authRequired("who \"are\" you?")).jsonString
                == #"["OK","\#(Self.id)",false,"auth-required: who \"are\" you?"]"#)
    }

    @Test func endOfStoredEvents() {
        #expect(RelayMessage.endOfStoredEvents(subscriptionID: "sub").jsonString == #"["EOSE","sub"]"#)
    }

    @Test func closed() {
        #expect(
            RelayMessage.closed(subscriptionID: "sub", reason: .restricted("members only")).jsonString
                == #"["CLOSED","sub","restricted: members only"]"#)
        #expect(
            RelayMessage.closed(subscriptionID: "sub", reason: Reason(.unsupported, "search")).jsonString
                == #"["CLOSED","sub","unsupported: search"]"#)
    }

    @Test func notice() {
        #expect(RelayMessage.notice("hello").jsonString == #"["NOTICE","hello"]"#)
        #expect(RelayMessage.notice("").jsonString == #"["NOTICE",""]"#)
    }

    @Test func auth() {
        #expect(RelayMessage.auth(challenge: "c-123").jsonString == #"["AUTH","c-123"]"#)
    }

    @Test func count() {
        #expect(
            RelayMessage.count(subscriptionID: "c", count: 42, approximate: false).jsonString
                == #"["COUNT","c",{"count":42}]"#)
        #expect(
            RelayMessage.count(subscriptionID: "c", count: 0, approximate: true).jsonString
                == #"["COUNT","c",{"count":0,"approximate":true}]"#)
    }

    @Test func negentropy() {
        #expect(
            RelayMessage.negentropyMessage(subscriptionID: "n", message: [0x00, 0xAB, 0xFF, 0x10]).jsonString
                == #"["NEG-MSG","n","00abff10"]"#)
        #expect(RelayMessage.negentropyMessage(subscriptionID: "n", message: []).jsonString == #"["NEG-MSG","n",""]"#)
        #expect(
            RelayMessage.negentropyError(subscriptionID: "n", reason: Reason(.closed, "timeout")).jsonString
                == #"["NEG-ERR","n","closed: timeout"]"#)
    }

    @Test func escapesStrings() throws {
        let nasty = "a\"b\\c\nd\re\tf\u{8}g\u{C}h\u{0}i\u{1}j\u{1F}k/é🟣\u{7F}"
        let escaped = #"a\"b\\c\nd\re\tf\bg\fh\u0000i\u0001j\u001fk/é🟣"# + "\u{7F}"
        #expect(RelayMessage.endOfStoredEvents(subscriptionID: nasty).jsonString == "[\"EOSE\",\"\(escaped)\"]")
        #expect(RelayMessage.notice(nasty).jsonString == "[\"NOTICE\",\"\(escaped)\"]")
        #expect(RelayMessage.auth(challenge: nasty).jsonString == "[\"AUTH\",\"\(escaped)\"]")
        #expect(
            RelayMessage.closed(subscriptionID: nasty, reason: .blocked(nasty)).jsonString
                == "[\"CLOSED\",\"\(escaped)\",\"blocked: \(escaped)\"]")
        #expect(
            RelayMessage.count(subscriptionID: nasty, count: 1, approximate: false).jsonString
                == "[\"COUNT\",\"\(escaped)\",{\"count\":1}]")
        #expect(
            RelayMessage.negentropyMessage(subscriptionID: nasty, message: [1]).jsonString
                == "[\"NEG-MSG\",\"\(escaped)\",\"01\"]")
        #expect(
            RelayMessage.negentropyError(subscriptionID: nasty, reason: .error(nasty)).jsonString
                == "[\"NEG-ERR\",\"\(escaped)\",\"error: \(escaped)\"]")
        #expect(
            RelayMessage.event(subscriptionID: nasty, eventJSON: note.rawJSON).jsonString
                == "[\"EVENT\",\"\(escaped)\",\(note.jsonString)]")
        #expect(
            RelayMessage.ok(eventID: note.id, accepted: false, reason: .invalid(nasty)).jsonString
                == "[\"OK\",\"\(Self.id)\",false,\"invalid: \(escaped)\"]")
        // And the escapes decode back to the original.
        #expect(try JSONValue.parse(RelayMessage.notice(nasty).encoded) == .array([.string("NOTICE"), .string(nasty)]))
    }

    static let allCases: [RelayMessage] = [
        .event(subscriptionID: "s\"1", eventJSON: note.rawJSON),
        .ok(eventID: note.id, accepted: true, reason: nil),
        .ok(eventID: note.id, accepted: false, reason: .invalid("bad \\ \u{1}")),
        .endOfStoredEvents(subscriptionID: "\n"),
        .closed(subscriptionID: "x", reason: .error("\u{0}")),
        .notice("tab\there"),
        .auth(challenge: "🟣"),
        .count(subscriptionID: "c", count: Int.max, approximate: true),
        .count(subscriptionID: "c", count: 3, approximate: false),
        .negentropyMessage(subscriptionID: "n", message: Array(0...255)),
        .negentropyError(subscriptionID: "n", reason: .blocked("")),
    ]

    @Test(arguments: allCases) func encodesValidJSON(_ message: RelayMessage) throws {
        let value = try JSONValue.parse(message.encoded)
        let elements = try #require(value.arrayValue)
        #expect(elements.count >= 2)
        #expect(elements.first?.stringValue != nil)
        #expect(message.jsonString == String(decoding: message.encoded, as: UTF8.self))
        var appended: [UInt8] = [0x20]
        message.write(to: &appended)
        #expect(appended == [0x20] + message.encoded)
    }
}
