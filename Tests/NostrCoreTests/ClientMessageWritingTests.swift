import NostrCore
import Testing

private let signer = KeyPair(secretKey: SecretKey(hex: String(repeating: "0", count: 62) + "43")!)
private let note: Event = signer.sign(
    kind: 1, tags: [["t", "nostr"], ["e", String(repeating: "e", count: 64)]], content: "line\nbreak \"quoted\" ✓",
    createdAt: 1_700_000_000)
private let authEvent: Event = RelayAuthentication.makeEvent(
    challenge: "c-1", relayURL: "wss://relay.example.com", keyPair: signer, createdAt: 1_700_000_000)
private let filter = Filter(
    ids: [note.id], authors: [signer.publicKey], kinds: [0, 3], tags: [TagCondition("t", ["a\"b", "c"])],
    since: 10, until: 20, limit: 5, search: "purple")

/// What a client sends: every `ClientMessage` written as compact JSON that `ClientMessage.parse`
/// (the relay's strict parser) reads back unchanged.
@Suite("ClientMessage: writing")
struct ClientMessageWritingTests {
    static let messages: [ClientMessage] = [
        .event(note),
        .auth(authEvent),
        .request(subscriptionID: "sub \"1\"", filters: [filter, Filter()]),
        .close(subscriptionID: "sub"),
        .count(subscriptionID: "n", filters: [Filter(kinds: [3])]),
        .negentropyOpen(subscriptionID: "neg", filter: filter, message: [0x61, 0x00, 0xAB, 0xFF]),
        .negentropyMessage(subscriptionID: "neg", message: [0x61, 0x0F]),
        .negentropyClose(subscriptionID: "neg"),
    ]

    @Test(arguments: messages)
    func everyMessageReadsBackAsItself(_ message: ClientMessage) throws {
        #expect(try ClientMessage.parse(message.encoded) == message)
        #expect(message.jsonString == String(decoding: message.encoded, as: UTF8.self))
    }

    @Test func theShapesAreNIP01s() {
        #expect(ClientMessage.close(subscriptionID: "a").jsonString == #"["CLOSE","a"]"#)
        #expect(ClientMessage.negentropyClose(subscriptionID: "a").jsonString == #"["NEG-CLOSE","a"]"#)
        #expect(
            ClientMessage.count(subscriptionID: "a", filters: [Filter(kinds: [3]), Filter(limit: 1)]).jsonString
                == #"["COUNT","a",{"kinds":[3]},{"limit":1}]"#)
        #expect(
            ClientMessage.negentropyMessage(subscriptionID: "a", message: [0x61, 0xAB]).jsonString
                == #"["NEG-MSG","a","61ab"]"#)
        #expect(
            ClientMessage.negentropyOpen(subscriptionID: "a", filter: Filter(), message: [0x61]).jsonString
                == #"["NEG-OPEN","a",{},"61"]"#)
    }

    @Test func eventsAreWrittenAsTheirStoredJSON() {
        #expect(ClientMessage.event(note).jsonString == #"["EVENT","# + note.jsonString + "]")
        #expect(ClientMessage.auth(authEvent).jsonString == #"["AUTH","# + authEvent.jsonString + "]")
        // A parsed event with extra whitespace is sent compact.
        let spaced = try! Event(json: note.jsonString.replacingOccurrences(of: #"","#, with: #"", "#))
        #expect(ClientMessage.event(spaced).jsonString == #"["EVENT","# + note.jsonString + "]")
    }
}
