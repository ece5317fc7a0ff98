import NostrCore
import Testing

private let signer = KeyPair(secretKey: SecretKey(hex: String(repeating: "0", count: 62) + "44")!)
private let note: Event = signer.sign(kind: 1, tags: [["t", "x"]], content: "hello", createdAt: 1_700_000_000)

/// What a client reads: every `RelayMessage` our relay writes parses to the matching
/// `ReceivedRelayMessage`; other relays' variations are accepted; junk is refused with a reason.
@Suite("ReceivedRelayMessage: parsing what relays send")
struct ReceivedRelayMessageTests {
    static let pairs: [(RelayMessage, ReceivedRelayMessage)] = [
        (.event(subscriptionID: "s", eventJSON: note.rawJSON), .event(subscriptionID: "s", event: note)),
        (.ok(eventID: note.id, accepted: true, reason: nil), .ok(eventID: note.id, accepted: true, message: "")),
        (
            .ok(eventID: note.id, accepted: false, reason: .duplicate("have it")),
            .ok(eventID: note.id, accepted: false, message: "duplicate: have it")
        ),
        (.endOfStoredEvents(subscriptionID: "s"), .endOfStoredEvents(subscriptionID: "s")),
        (
            .closed(subscriptionID: "s", reason: .authRequired("log in")),
            .closed(subscriptionID: "s", message: "auth-required: log in")
        ),
        (.notice("hi \"there\"\n"), .notice("hi \"there\"\n")),
        (.auth(challenge: "abc"), .auth(challenge: "abc")),
        (
            .count(subscriptionID: "n", count: 42, approximate: false),
            .count(subscriptionID: "n", count: 42, approximate: false)
        ),
        (
            .count(subscriptionID: "n", count: 7, approximate: true),
            .count(subscriptionID: "n", count: 7, approximate: true)
        ),
        (
            .negentropyMessage(subscriptionID: "g", message: [0x61, 0x00, 0xFF]),
            .negentropyMessage(subscriptionID: "g", message: [0x61, 0x00, 0xFF])
        ),
        (
            .negentropyError(subscriptionID: "g", reason: .blocked("too big")),
            .negentropyError(subscriptionID: "g", message: "blocked: too big")
        ),
    ]

    @Test func everyMessageOurRelayWritesParses() throws {
        for (written, expected) in Self.pairs {
            #expect(try ReceivedRelayMessage.parse(written.encoded) == expected, "\(written.jsonString)")
        }
    }

    @Test func whatOtherRelaysVaryIsAccepted() throws {
        let id = note.id.hex
        let accepted: [(String, ReceivedRelayMessage)] = [
            (#"["OK","\#(id)",true]"#, .ok(eventID: note.id, accepted: true, message: "")),
            (#"["CLOSED","s"]"#, .closed(subscriptionID: "s", message: "")),
            (#"["NEG-ERR","s"]"#, .negentropyError(subscriptionID: "s", message: "")),
            (
                #"["COUNT","n",{"count":3,"approximate":false,"hll":"00"}]"#,
                .count(subscriptionID: "n", count: 3, approximate: false)
            ),
            (#"["EOSE","s",{"extra":1}]"#, .endOfStoredEvents(subscriptionID: "s")),
            (#" [ "NOTICE" , "spaced" ] "#, .notice("spaced")),
            (#"["EVENT","s",\#(note.jsonString)]"#, .event(subscriptionID: "s", event: note)),
        ]
        for (text, expected) in accepted {
            #expect(try ReceivedRelayMessage.parse(text) == expected, "\(text)")
        }
    }

    @Test func aParsedEventKeepsItsBytesAndIsNotYetChecked() throws {
        let forged = note.jsonString.replacingOccurrences(of: "hello", with: "HELLO")
        guard case .event(_, let event) = try ReceivedRelayMessage.parse(#"["EVENT","s","# + forged + "]") else {
            Issue.record("not an event")
            return
        }
        #expect(event.rawJSON == Array(forged.utf8))
        #expect(!event.hasValidID)
    }

    @Test func anUnparsableEventNamesItsSubscription() {
        for event in [
            #"{"id":"x"}"#, "[]", note.jsonString.replacingOccurrences(of: #""kind":1"#, with: #""kind":-1"#),
        ] {
            #expect {
                try ReceivedRelayMessage.parse(#"["EVENT","sub-1","# + event + "]")
            } throws: { error in
                guard let error = error as? RelayMessageParseError else { return false }
                return error.subscriptionID == "sub-1" && error.reason.prefix == .invalid
            }
        }
    }

    @Test func junkIsRefusedWithAReason() {
        let refused: [(String, String)] = [
            ("not json", "message must be a JSON array"),
            ("[", "malformed JSON"),
            ("{}", "message must be a JSON array"),
            ("[]", "message must start with its type as a string"),
            (#"["HELLO"]"#, #"unknown message type "HELLO""#),
            (#"["EVENT","s"]"#, "EVENT needs an event"),
            (#"["EVENT",1,{}]"#, "EVENT subscription id must be a string"),
            (#"["OK","abc",true,""]"#, "OK event id must be 64-character lowercase hex"),
            (#"["OK","\#(note.id.hex)","yes",""]"#, "OK needs true or false"),
            (#"["OK","\#(note.id.hex)",true,5]"#, "OK message must be a string"),
            (#"["COUNT","n",{"approximate":true}]"#, "COUNT result has no count"),
            (#"["COUNT","n",{"count":-1}]"#, "COUNT count must not be negative"),
            (#"["COUNT","n",{"count":1.5}]"#, "not a fraction or exponent"),
            (#"["COUNT","n",5]"#, "COUNT result must be an object"),
            (#"["NEG-MSG","g","ABCD"]"#, "NEG-MSG message must be lowercase hex"),
            (#"["NEG-MSG","g","abc"]"#, "NEG-MSG message must be lowercase hex"),
            (#"["NOTICE","a"] x"#, "unexpected data after the end"),
            (#"["EVENT","s",\#(note.jsonString)] x"#, "unexpected data after the end"),
        ]
        for (text, message) in refused {
            #expect {
                try ReceivedRelayMessage.parse(text)
            } throws: { error in
                guard let error = error as? RelayMessageParseError else { return false }
                return error.subscriptionID == nil && error.reason.prefix == .invalid
                    && error.reason.message.contains(message)
            }
        }
    }
}
