import NostrCore
import NostrCoreTesting
import Testing

/// libsecp256k1 runs on one process-wide context; it must give the same answers from any thread.
@Suite("Shared secp256k1 context")
struct SharedContextTests {
    @Test func signsParsesAndValidatesRoundTrip() throws {
        let pair = KeyPair.generate()
        let event = pair.sign(
            kind: 1, tags: [["p", pair.publicKey.hex]], content: "hi \"there\"\n", createdAt: 1_700_000_000)
        try event.validate()
        #expect(try Event(json: event.rawJSON) == event)
    }

    @Test func concurrentSigningAndVerificationAgree() async throws {
        let corpus = CorpusGenerator(pubkeys: 16, seed: 99)
        let events = corpus.allEvents()
        // Every task verifies every event and signs new ones; any corruption of shared state would
        // show up as a wrong answer somewhere.
        let failures = await withTaskGroup(of: Int.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var failures = 0
                    for (index, event) in events.enumerated() {
                        if !event.hasValidSignature { failures += 1 }
                        let stranger = corpus.keyPairs.first { $0.publicKey != event.pubkey }!.publicKey
                        if Schnorr.verify(event.sig, of: event.id.raw, by: stranger) { failures += 1 }
                        let signed = corpus.keyPairs[(index + task) % 16].sign(
                            kind: 1, tags: Tags(), content: "task \(task) event \(index)", createdAt: Int64(index))
                        if (try? signed.validate()) == nil { failures += 1 }
                    }
                    return failures
                }
            }
            return await group.reduce(0, +)
        }
        #expect(failures == 0)
    }
}
