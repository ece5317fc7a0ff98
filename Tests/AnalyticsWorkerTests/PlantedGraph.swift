import LMDBStore
import NostrCore
import NostrCoreTesting

/// A small follow graph with known structure, stored as signed events:
/// - communities A and B (40 pubkeys each), each member following 8 others of its own community,
///   plus three follows from A to B;
/// - trust seeds A0, A1, B0, B1 (threshold 2);
/// - a bot ring R0-R5 that follows only itself, completely, and that one trusted pubkey (A2)
///   follows: one trusted follower is below the threshold;
/// - a sparse cycle C0-C4 (density 0.25) and a dense ring D0-D4 that also follows five A members
///   each, 25 in all (external ratio 1.25): neither is a bot cluster;
/// - A3's list has invalid `p` values (uppercase, short, its own pubkey); A4 published an older list
///   following R1-R5 that a newer one replaced; A5 and B5 mute R0, A5 also R1.
struct PlantedGraph {
    let keys: [String: KeyPair]
    /// Author name -> followed names, as the newest lists say (valid entries only, no self).
    let follows: [String: Set<String>]
    let events: [Event]
    let seeds: [String]
    let threshold = 2

    static let ring = (0..<6).map { "R\($0)" }
    static let communityA = (0..<40).map { "A\($0)" }
    static let communityB = (0..<40).map { "B\($0)" }

    init() {
        var random = SeededGenerator(seed: 7)
        let names = Self.communityA + Self.communityB + Self.ring + (0..<5).map { "C\($0)" } + (0..<5).map { "D\($0)" }
        var keys: [String: KeyPair] = [:]
        for name in names {
            while keys[name] == nil {
                let raw = Bytes32(w0: random.next(), w1: random.next(), w2: random.next(), w3: random.next())
                if let secret = SecretKey(raw) { keys[name] = KeyPair(secretKey: secret) }
            }
        }
        var follows: [String: Set<String>] = [:]
        for community in [Self.communityA, Self.communityB] {
            for name in community {
                var chosen = Set<String>()
                while chosen.count < 8 {
                    let other = community[Int(random.next() % UInt64(community.count))]
                    if other != name { chosen.insert(other) }
                }
                follows[name] = chosen
            }
        }
        for index in 0..<3 { follows["A\(index + 10)", default: []].insert("B\(index + 10)") }
        follows["A2", default: []].insert("R0")
        for bot in Self.ring { follows[bot] = Set(Self.ring.filter { $0 != bot }) }
        for index in 0..<5 { follows["C\(index)"] = ["C\((index + 1) % 5)"] }
        for index in 0..<5 {
            let outsiders = (0..<5).map { "A\(10 + 5 * index + $0)" }
            follows["D\(index)"] = Set((0..<5).filter { $0 != index }.map { "D\($0)" } + outsiders)
        }
        self.keys = keys
        self.follows = follows
        seeds = ["A0", "A1", "B0", "B1"]

        let base: Int64 = 1_750_000_000
        var events: [Event] = []
        for name in names.sorted() {
            var tags = follows[name, default: []].sorted().map { ["p", keys[$0]!.publicKey.hex] }
            if name == "A3" {
                tags.append(["p", keys["B3"]!.publicKey.hex.uppercased()])
                tags.append(["p", "abc123"])
                tags.append(["p", keys["A3"]!.publicKey.hex])
                tags.append(["e", keys["B4"]!.publicKey.hex])
            }
            events.append(keys[name]!.sign(kind: .followList, tags: tags, content: "", createdAt: base + 100))
        }
        let stale = ["R1", "R2", "R3", "R4", "R5"].map { ["p", keys[$0]!.publicKey.hex] }
        events.append(keys["A4"]!.sign(kind: .followList, tags: stale, content: "", createdAt: base))
        events.append(
            keys["A5"]!.sign(
                kind: .muteList, tags: [["p", keys["R0"]!.publicKey.hex], ["p", keys["R1"]!.publicKey.hex]],
                content: "", createdAt: base))
        events.append(
            keys["B5"]!.sign(kind: .muteList, tags: [["p", keys["R0"]!.publicKey.hex]], content: "", createdAt: base))
        self.events = events
    }

    func hex(_ name: String) -> String { keys[name]!.publicKey.hex }

    var names: [String] { keys.keys.sorted() }

    func followers(of name: String) -> Int { follows.values.filter { $0.contains(name) }.count }

    /// The trusted set by the definition, computed naively: round after round, every pubkey that
    /// at least `threshold` trusted pubkeys follow joins.
    func expectedTrusted() -> [String: Int] {
        var round: [String: Int] = Dictionary(uniqueKeysWithValues: seeds.map { ($0, 0) })
        var current = 0
        while true {
            current += 1
            let joining = names.filter { name in
                round[name] == nil
                    && follows.filter { round[$0.key] != nil && $0.value.contains(name) }.count >= threshold
            }
            if joining.isEmpty { return round }
            for name in joining { round[name] = current }
        }
    }

    /// Trusted followers of `name` in the final trusted set.
    func trustedFollowers(of name: String, trusted: [String: Int]) -> Int {
        follows.filter { trusted[$0.key] != nil && $0.value.contains(name) }.count
    }

    /// Stores every event; returns what the store said of each.
    func store(in store: EventStore) throws -> [SaveOutcome] {
        try store.saveAndWait(events)
    }
}
