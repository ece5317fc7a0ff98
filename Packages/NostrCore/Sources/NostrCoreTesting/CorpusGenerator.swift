import Foundation
import NostrCore

/// Generates a deterministic, signed corpus shaped like PurplePages traffic, for benchmarks and tests.
///
/// Per pubkey: a kind 0 profile (200-600 bytes of JSON content with quotes, backslashes, newlines,
/// emoji, other scripts and now and then a raw control character), a kind 3 follow list whose
/// number of `p` tags follows a power law (Lomax, shape 1.2) clipped to 10...2000 with targets
/// drawn by popularity (Zipf, exponent 0.9), a kind 10002 relay list with 1-8 `r` tags, and for
/// one pubkey in three a NIP-51 list (kind 10000 mutes or a kind 30000 follow set). The same seed
/// always gives the same events, ids and signatures.
public struct CorpusGenerator: Sendable {
    /// Unix time the generated `created_at` values are based on.
    public static let baseTimestamp: Int64 = 1_760_000_000

    /// The key pairs, one per pubkey, in generation order.
    public let keyPairs: [KeyPair]
    private let seed: UInt64
    private let popularityCumulative: [Double]
    private let popularityOrder: [Int]

    /// Prepares `pubkeys` deterministic key pairs from `seed`.
    public init(pubkeys: Int, seed: UInt64) {
        precondition(pubkeys > 0, "a corpus needs at least one pubkey")
        self.seed = seed
        var generator = SeededGenerator(seed: seed)
        var pairs: [KeyPair] = []
        pairs.reserveCapacity(pubkeys)
        while pairs.count < pubkeys {
            let raw = Bytes32(w0: generator.next(), w1: generator.next(), w2: generator.next(), w3: generator.next())
            if let secret = SecretKey(raw) { pairs.append(KeyPair(secretKey: secret)) }
        }
        keyPairs = pairs
        // Popularity: a Zipf weight per rank over a seeded shuffle, so in-degree follows a power law.
        var order = Array(0..<pubkeys)
        order.shuffle(using: &generator)
        popularityOrder = order
        var total = 0.0
        popularityCumulative = (0..<pubkeys).map { rank in
            total += 1.0 / pow(Double(rank + 1), 0.9)
            return total
        }
    }

    /// All events of pubkey number `index`, signed.
    public func events(forPubkey index: Int) -> [Event] {
        var generator = SeededGenerator(seed: seed &* 0x9E37_79B9 &+ UInt64(index))
        let pair = keyPairs[index]
        var events: [Event] = []
        func aux() -> Bytes32 {
            Bytes32(w0: generator.next(), w1: generator.next(), w2: generator.next(), w3: generator.next())
        }
        func timestamp() -> Int64 {
            CorpusGenerator.baseTimestamp - Int64(generator.next() % 31_536_000)
        }
        events.append(
            pair.sign(
                kind: .metadata, tags: [], content: profile(&generator), createdAt: timestamp(),
                auxiliaryRandom: aux()))
        events.append(
            pair.sign(
                kind: .followList, tags: Tags(followTags(&generator, author: index)), content: "",
                createdAt: timestamp(), auxiliaryRandom: aux()))
        events.append(
            pair.sign(
                kind: .relayList, tags: relayTags(&generator), content: "", createdAt: timestamp(),
                auxiliaryRandom: aux()))
        if generator.next() % 3 == 0 {
            let (kind, tags, content) = listEvent(&generator, author: index)
            events.append(
                pair.sign(
                    kind: kind, tags: tags, content: content, createdAt: timestamp(),
                    auxiliaryRandom: aux()))
        }
        return events
    }

    /// Every pubkey's events, in pubkey order.
    public func allEvents() -> [Event] {
        (0..<keyPairs.count).flatMap { events(forPubkey: $0) }
    }

    // MARK: Shapes

    private func popularPubkey(_ generator: inout SeededGenerator) -> Int {
        let target = Double(generator.next() >> 11) / Double(1 << 53) * popularityCumulative.last!
        var low = 0
        var high = popularityCumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if popularityCumulative[middle] < target { low = middle + 1 } else { high = middle }
        }
        return popularityOrder[low]
    }

    private func followTags(_ generator: inout SeededGenerator, author: Int) -> [[String]] {
        let uniform = Double(generator.next() >> 11) / Double(1 << 53)
        let lomax = 64.0 * (pow(max(1 - uniform, 1e-12), -1 / 1.2) - 1)
        let wanted = min(2000, max(10, 10 + Int(lomax)))
        let count = min(wanted, keyPairs.count - 1)
        var chosen = Set<Int>()
        var attempts = 0
        while chosen.count < count && attempts < count * 20 {
            attempts += 1
            let target = popularPubkey(&generator)
            if target != author { chosen.insert(target) }
        }
        var tags: [[String]] = []
        for target in chosen.sorted() {
            let hex = keyPairs[target].publicKey.hex
            switch generator.next() % 10 {
            case 0: tags.append(["p", hex, CorpusGenerator.relays[Int(generator.next() % 30)]])
            case 1: tags.append(["p", hex, "", CorpusGenerator.words[Int(generator.next() % 40)]])
            default: tags.append(["p", hex])
            }
        }
        return tags
    }

    private func relayTags(_ generator: inout SeededGenerator) -> [[String]] {
        let count = 1 + Int(generator.next() % 8)
        var seen = Set<Int>()
        var tags: [[String]] = []
        while tags.count < count {
            let relay = Int(generator.next() % UInt64(CorpusGenerator.relays.count))
            guard seen.insert(relay).inserted else { continue }
            switch generator.next() % 4 {
            case 0: tags.append(["r", CorpusGenerator.relays[relay], "read"])
            case 1: tags.append(["r", CorpusGenerator.relays[relay], "write"])
            default: tags.append(["r", CorpusGenerator.relays[relay]])
            }
        }
        return tags
    }

    private func listEvent(_ generator: inout SeededGenerator, author: Int) -> (Kind, [[String]], String) {
        let count = 1 + Int(generator.next() % 40)
        var tags: [[String]] = []
        if generator.next() % 2 == 0 {
            for _ in 0..<count { tags.append(["p", keyPairs[popularPubkey(&generator)].publicKey.hex]) }
            if generator.next() % 4 == 0 { tags.append(["t", CorpusGenerator.words[Int(generator.next() % 40)]]) }
            return (.muteList, tags, "")
        }
        let name = CorpusGenerator.listNames[Int(generator.next() % UInt64(CorpusGenerator.listNames.count))]
        tags.append(["d", name])
        tags.append(["title", name.titleCased])
        for _ in 0..<count { tags.append(["p", keyPairs[popularPubkey(&generator)].publicKey.hex]) }
        return (30000, tags, "")
    }

    private func profile(_ generator: inout SeededGenerator) -> String {
        let target = 200 + Int(generator.next() % 400)
        let weird = generator.next() % 4 == 0
        var about = ""
        while about.utf8.count < target {
            let roll = generator.next() % 100
            let piece: String
            switch roll {
            case 0..<8: piece = CorpusGenerator.emoji[Int(generator.next() % UInt64(CorpusGenerator.emoji.count))]
            case 8..<12: piece = CorpusGenerator.scripts[Int(generator.next() % UInt64(CorpusGenerator.scripts.count))]
            case 12..<15: piece = "\"" + CorpusGenerator.words[Int(generator.next() % 40)] + "\""
            case 15: piece = "\n"
            case 16 where weird:
                piece =
                    ["C:\\Users\\pleb", "back\\slash", "\\o/", "tab\there", "\r\n"][
                        Int(generator.next() % 5)]
            default: piece = CorpusGenerator.words[Int(generator.next() % 40)]
            }
            about += about.isEmpty ? piece : " " + piece
        }
        if weird && generator.next() % 20 == 0 { about += "\u{07}bell\u{1F}" }
        let name = CorpusGenerator.words[Int(generator.next() % 40)] + String(generator.next() % 10_000)
        let domain = CorpusGenerator.domains[Int(generator.next() % UInt64(CorpusGenerator.domains.count))]
        let fields: [(String, String)] = [
            ("name", name), ("display_name", name.titleCased), ("about", about),
            ("picture", "https://\(domain)/avatars/\(name).png"), ("nip05", "\(name)@\(domain)"),
            ("lud16", "\(name)@\(domain)"), ("website", "https://\(domain)/\(name)"),
        ]
        var json: [UInt8] = [UInt8(ascii: "{")]
        for (index, (key, value)) in fields.enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            JSONWriter.appendString(key, to: &json)
            json.append(UInt8(ascii: ":"))
            JSONWriter.appendString(value, to: &json)
        }
        json.append(UInt8(ascii: "}"))
        return String(decoding: json, as: UTF8.self)
    }

    // MARK: Vocabulary

    static let words =
        ("bitcoin nostr freedom relay zap lightning node pleb sovereign open source protocol music photography art "
        + "coffee hiking developer designer writer podcast cypherpunk privacy energy mining garden family travel "
        + "books science math physics rust swift go linux keys censorship social graph follow").split(separator: " ")
        .map(String.init)
    static let scripts = [
        "日本語のテキスト", "中文内容测试", "Привет мир", "مرحبا بالعالم", "שלום עולם", "Γειά σου Κόσμε", "한국어 텍스트",
        "हिन्दी पाठ", "ภาษาไทย", "Tiếng Việt", "Ñandú pingüino café",
    ]
    static let emoji = ["⚡", "🟣", "🤙", "🧡", "🌱", "🚀", "🎵", "📸", "☕", "🏔️", "🐈", "🦩", "🇧🇷", "👨‍💻", "🔑"]
    static let domains = [
        "nostrplebs.com", "iris.to", "primal.net", "snort.social", "nostr.com", "getalby.com", "stacker.news",
        "habla.news", "zaps.lol", "example.org",
    ]
    static let relays = (0..<30).map { "wss://relay\($0).example.com" }
    static let listNames = [
        "friends", "bitcoin-devs", "artists", "music", "news", "podcasters", "family", "local", "nostr-devs",
        "photographers", "zappers", "builders", "reading-list", "mutuals", "close",
    ]
}

extension String {
    fileprivate var titleCased: String { prefix(1).uppercased() + dropFirst() }
}
