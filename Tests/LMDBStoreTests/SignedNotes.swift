import NostrCore
import NostrCoreTesting

/// `count` signed kind-1 notes from a key and aux randomness drawn from `seed`, one second apart
/// from `CorpusGenerator.baseTimestamp`; `tags` gives each note's tags by its index.
func signedNotes(
    seed: UInt64, count: Int, content: String = "", tags: (Int) -> [[String]] = { _ in [] }
) -> [Event] {
    var generator = SeededGenerator(seed: seed)
    func bytes() -> Bytes32 {
        Bytes32(w0: generator.next(), w1: generator.next(), w2: generator.next(), w3: generator.next())
    }
    var secret = SecretKey(bytes())
    while secret == nil { secret = SecretKey(bytes()) }
    let pair = KeyPair(secretKey: secret!)
    return (0..<count).map { index in
        pair.sign(
            kind: 1, tags: tags(index), content: "test \(seed) note \(index) " + content,
            createdAt: CorpusGenerator.baseTimestamp + Int64(index), auxiliaryRandom: bytes())
    }
}
