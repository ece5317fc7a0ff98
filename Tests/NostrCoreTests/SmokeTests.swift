import NostrCore
import Testing

@Test func signsAndValidates() throws {
    let pair = KeyPair.generate()
    let event = pair.sign(
        kind: 1, tags: [["p", pair.publicKey.hex]], content: "hi \"there\"\n", createdAt: 1_700_000_000)
    try event.validate()
    let reparsed = try Event(json: event.rawJSON)
    #expect(reparsed == event)
}
