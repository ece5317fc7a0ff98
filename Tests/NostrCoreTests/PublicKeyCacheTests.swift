import NostrCore
import NostrCoreTesting
import Testing

@Suite("Public key cache")
struct PublicKeyCacheTests {
    private static let corpus = CorpusGenerator(pubkeys: 40, seed: 7)

    @Test func verifiesExactlyLikeTheUncachedPath() throws {
        let cache = PublicKeyCache(capacity: 1024)
        for index in 0..<Self.corpus.keyPairs.count {
            for event in Self.corpus.events(forPubkey: index) {
                try event.validate(keyCache: cache)
                try event.validate(keyCache: cache)  // the second time from the cache
                let forged = Event(
                    id: event.id, pubkey: Self.corpus.keyPairs[(index + 1) % 40].publicKey,
                    createdAt: event.createdAt, kind: event.kind, tags: event.tags,
                    content: event.content, sig: event.sig)
                #expect(!Schnorr.verify(forged.sig, of: forged.id.raw, by: forged.pubkey, keyCache: cache))
            }
        }
        #expect(cache.count == 40)
    }

    @Test func staysWithinItsCapacity() {
        let cache = PublicKeyCache(capacity: 32)
        let digest = Bytes32(w0: 1, w1: 2, w2: 3, w3: 4)
        for _ in 0..<500 {
            let pair = KeyPair.generate()
            let signature = Schnorr.sign(digest, with: pair.secretKey)
            #expect(Schnorr.verify(signature, of: digest, by: pair.publicKey, keyCache: cache))
        }
        #expect(cache.count <= 32)
        #expect(cache.count > 0)
        cache.removeAll()
        #expect(cache.count == 0)
    }

    @Test func keysOffTheCurveAreRejectedAndNotCached() {
        let cache = PublicKeyCache()
        // x = 5 is not the x coordinate of a secp256k1 point (BIP-340 vector 5's public key).
        let offCurve = PublicKey(Bytes32(hex: "eefdea4cdb677750a420fee807eacf21eb9898ae79b9768766e4faa04a2d4a34")!)
        let signature = Signature(r: .zero, s: .zero)
        #expect(!Schnorr.verify(signature, of: .zero, by: offCurve, keyCache: cache))
        #expect(cache.count == 0)
    }
}
