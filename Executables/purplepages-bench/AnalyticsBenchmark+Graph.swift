// The generated follow graph of `purplepages-bench analytics` and the store it is written to.
import Dispatch
import Foundation
import LMDBStore
import NostrCore
import NostrCoreTesting

/// A deterministic power-law follow graph of `pubkeys` authors, one kind 3 event each.
///
/// Pubkeys are random 32-byte values (not curve points: nothing here verifies them). Out-degrees
/// follow a Lomax law of shape 1.5, scaled so that they add up to about `follows` and clipped to
/// 1...5000. Targets are drawn by popularity: a continuous Zipf approximation (exponent 0.9) over a
/// seeded shuffle of the pubkeys, half of them globally and half within the author's community
/// (20 communities, dealt round-robin by popularity rank, so each has its own popular head and
/// Louvain has structure to find). Planted: up to 100 bot rings of 5-8 of the least popular
/// pubkeys, each member following exactly the other members of its ring. No self follows.
struct FollowGraphGenerator: Sendable {
    /// Bump when the generated graph changes, so `--reuse` does not pick up an old store.
    static let version = 1
    static let baseTimestamp: Int64 = 1_760_000_000
    static let maxFollows = 5000
    static let communities = 20
    static let zipfExponent = 0.9
    static let lomaxShape = 1.5

    let seed: UInt64
    let pubkeys: [PublicKey]
    /// Pubkey index of each popularity rank (rank 0 is the most followed).
    let byRank: [Int32]
    /// Popularity rank of each pubkey.
    let rankOf: [Int32]
    /// Follows each author is meant to have (bot ring members: their ring size minus one).
    let degrees: [Int32]
    /// The bot rings, as pubkey indexes.
    let rings: [[Int32]]
    /// The ring of each pubkey, or -1.
    let ringOf: [Int32]

    /// The graph's keys, popularity and degrees (the events themselves come from `event(author:hexes:)`).
    init(pubkeys count: Int, follows: Int, seed: UInt64) {
        precondition(count >= 2, "a follow graph needs at least two pubkeys")
        self.seed = seed
        var random = SeededGenerator(seed: seed ^ 0xA7A1_7C5)
        pubkeys = (0..<count).map { _ in
            PublicKey(Bytes32(w0: random.next(), w1: random.next(), w2: random.next(), w3: random.next()))
        }
        var order = (0..<count).map { Int32($0) }
        order.shuffle(using: &random)
        byRank = order
        var ranks = [Int32](repeating: 0, count: count)
        for (rank, index) in order.enumerated() { ranks[Int(index)] = Int32(rank) }
        rankOf = ranks

        // Bot rings from the least popular ranks: nobody outside follows them much.
        var rings: [[Int32]] = []
        var ringOf = [Int32](repeating: -1, count: count)
        var nextRank = count - 1
        for ring in 0..<min(100, count / 100) {
            let size = 5 + ring % 4
            let members = (0..<size).map { offset in order[nextRank - offset] }
            nextRank -= size
            for member in members { ringOf[Int(member)] = Int32(rings.count) }
            rings.append(members)
        }
        self.rings = rings
        self.ringOf = ringOf

        // Lomax draws of scale 1, then the scale that makes the clipped degrees add up to `follows`.
        let draws = (0..<count).map { _ in
            let uniform = Double(random.next() >> 11) / Double(1 << 53)
            return pow(max(1 - uniform, 1e-12), -1 / Self.lomaxShape) - 1
        }
        let cap = Double(min(Self.maxFollows, count - 1))
        let ringFollows = rings.reduce(0) { $0 + $1.count * ($1.count - 1) }
        let wanted = Double(max(0, follows - ringFollows))
        func total(_ scale: Double) -> Double {
            var sum = 0.0
            for (index, draw) in draws.enumerated() where ringOf[index] < 0 {
                sum += min(cap, max(1, (scale * draw).rounded()))
            }
            return sum
        }
        var low = 1e-3
        var high = 1e7
        for _ in 0..<60 {
            let middle = (low * high).squareRoot()
            if total(middle) < wanted { low = middle } else { high = middle }
        }
        degrees = draws.enumerated().map { index, draw in
            let ring = ringOf[index]
            return ring >= 0 ? Int32(rings[Int(ring)].count - 1) : Int32(min(cap, max(1, (high * draw).rounded())))
        }
    }

    /// The `count` most popular pubkeys (the most followed), for follower lookups.
    func popular(_ count: Int) -> [PublicKey] {
        byRank.prefix(count).map { pubkeys[Int($0)] }
    }

    /// The lowercase hex of every pubkey, computed on every core.
    func hexes() -> [String] {
        let stripes = 64
        let parts = SendableBox(ParallelStrings(count: stripes))
        let keys = pubkeys
        DispatchQueue.concurrentPerform(iterations: stripes) { stripe in
            let range = (keys.count * stripe / stripes)..<(keys.count * (stripe + 1) / stripes)
            parts.value.set(stripe, keys[range].map(\.hex))
        }
        return parts.value.all().flatMap { $0 }
    }

    /// The follow targets of `author`, in the order drawn.
    func targets(of author: Int, random: inout SeededGenerator) -> [Int32] {
        let ring = ringOf[author]
        if ring >= 0 { return rings[Int(ring)].filter { $0 != Int32(author) } }
        let wanted = Int(degrees[author])
        let count = pubkeys.count
        let community = Int(rankOf[author]) % Self.communities
        let communitySize = (count - community + Self.communities - 1) / Self.communities
        var chosen: [Int32] = []
        chosen.reserveCapacity(wanted)
        var seen = Set<Int32>(minimumCapacity: wanted)
        var attempts = 0
        while chosen.count < wanted && attempts < wanted * 20 + 100 {
            attempts += 1
            let local = random.next() & 1 == 0
            let rank =
                local
                ? community + Self.communities * Self.zipfRank(communitySize, random: &random)
                : Self.zipfRank(count, random: &random)
            guard rank < count else { continue }
            let target = byRank[rank]
            if target != Int32(author) && seen.insert(target).inserted { chosen.append(target) }
        }
        return chosen
    }

    /// A rank in 0..<n drawn with probability about proportional to (rank + 1)^-0.9: the inverse
    /// of the continuous power law's distribution function (O(1), unlike a search of the discrete one).
    static func zipfRank(_ n: Int, random: inout SeededGenerator) -> Int {
        let uniform = Double(random.next() >> 11) / Double(1 << 53)
        let power = 1 - zipfExponent
        let x = pow(1 + uniform * (pow(Double(n + 1), power) - 1), 1 / power)
        return min(n - 1, max(0, Int(x) - 1))
    }

    /// The kind 3 event of `author`. Not signed: 1M Schnorr signatures would dominate the setup, and
    /// neither the store nor the worker checks them. The id is the real one; the signature is 64
    /// deterministic random bytes.
    func event(author: Int, hexes: [String]) -> Event {
        var random = SeededGenerator(seed: seed &* 0x9E37_79B9 &+ UInt64(author) ^ 0xF011_0435)
        let tags = Tags(targets(of: author, random: &random).map { ["p", hexes[Int($0)]] })
        let createdAt = Self.baseTimestamp - Int64(random.next() % 2_592_000)
        let pubkey = pubkeys[author]
        let id = Event.computeID(pubkey: pubkey, createdAt: createdAt, kind: .followList, tags: tags, content: "")
        let sig = Signature(
            r: Bytes32(w0: random.next(), w1: random.next(), w2: random.next(), w3: random.next()),
            s: Bytes32(w0: random.next(), w1: random.next(), w2: random.next(), w3: random.next()))
        return Event(id: id, pubkey: pubkey, createdAt: createdAt, kind: .followList, tags: tags, content: "", sig: sig)
    }

    /// What `bench-params.txt` records, so `--reuse` only takes a store made from the same parameters.
    func parameters(follows: Int) -> String {
        "purplepages-bench analytics v\(Self.version): pubkeys=\(pubkeys.count) follows=\(follows) seed=\(seed)\n"
    }
}

/// Writes a `FollowGraphGenerator`'s events to an event store and reports on it.
struct FollowGraphWriter {
    static let batch = 10_000
    static let markerFile = "bench-params.txt"

    let graph: FollowGraphGenerator
    let directory: String
    let parameters: String

    /// Whether `directory` holds a store written with the same parameters.
    var isReusable: Bool {
        let marker = try? String(contentsOfFile: directory + "/" + Self.markerFile, encoding: .utf8)
        return marker == parameters && FileManager.default.fileExists(atPath: directory + "/data.mdb")
    }

    /// Removes any earlier store in `directory` (its LMDB files and marker only), then writes one
    /// event per pubkey in batches of `batch`, generating the next batch while the last one commits.
    func write(estimatedBytes: Int) throws {
        let files = FileManager.default
        try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for name in ["data.mdb", "lock.mdb", Self.markerFile] { try? files.removeItem(atPath: directory + "/" + name) }
        var volume = statvfs()
        if statvfs(directory, &volume) == 0 {
            let free = Int(volume.f_bavail) * Int(volume.f_frsize)
            print("disk: \(free >> 30) GiB free at \(directory), the store needs about \(estimatedBytes >> 30) GiB")
            guard free > estimatedBytes + (1 << 30) else {
                throw RelayBenchmarkError(description: "not enough free disk space for the store at \(directory)")
            }
        }
        print(
            "generating \(graph.pubkeys.count) kind 3 events (NOT signed: real ids, random signatures;"
                + " neither the store nor the worker verifies them)")
        fflush(nil)
        let clock = ContinuousClock()
        let started = clock.now
        let hexes = graph.hexes()
        let store = try EventStore(configuration: .init(path: directory, mapSizeGB: 64, maxBatchEvents: Self.batch))
        defer { store.close() }
        let count = graph.pubkeys.count
        var writing = Duration.zero
        var written = 0
        var follows = 0
        var stored = 0
        var next = generate(0..<min(Self.batch, count), hexes: hexes)
        while !next.isEmpty {
            let current = next
            let following = written + current.count..<min(written + current.count + Self.batch, count)
            // The next batch is generated on the other core while this one is written.
            let generated = SendableBox(ParallelEvents(count: 1))
            let done = DispatchSemaphore(value: 0)
            DispatchQueue.global().async {
                generated.value.set(0, self.generate(following, hexes: hexes))
                done.signal()
            }
            let start = clock.now
            stored += try store.saveAndWait(current).filter(\.isStored).count
            writing += clock.now - start
            written += current.count
            follows += current.reduce(0) { $0 + $1.tags.count }
            done.wait()
            next = generated.value.all()[0]
            if written % 100_000 < current.count || next.isEmpty {
                let elapsed = seconds(clock.now - started)
                print("  \(written) events, \(follows) follows, \(String(format: "%.0f", elapsed)) s")
                fflush(nil)  // progress shows in time even when stdout is a pipe
            }
        }
        let statistics = try store.statistics()
        try parameters.write(toFile: directory + "/" + Self.markerFile, atomically: true, encoding: .utf8)
        print(
            "generated: \(stored) of \(written) events stored, \(follows) follows, \(graph.rings.count) bot rings,"
                + " in \(String(format: "%.1f", seconds(clock.now - started))) s"
                + " (\(String(format: "%.1f", seconds(writing))) s writing); store \(statistics.sizeBytes >> 20) MiB")
    }

    /// The events of the authors in `range`, generated on every core.
    private func generate(_ range: Range<Int>, hexes: [String]) -> [Event] {
        guard !range.isEmpty else { return [] }
        let parts = SendableBox(ParallelEvents(count: range.count))
        let graph = graph
        DispatchQueue.concurrentPerform(iterations: range.count) { offset in
            parts.value.set(offset, [graph.event(author: range.lowerBound + offset, hexes: hexes)])
        }
        return parts.value.all().flatMap { $0 }
    }
}

/// Results of concurrent generation, one slot per task.
final class ParallelSlots<Element>: @unchecked Sendable {
    private var parts: [[Element]]
    private let lock = NSLock()

    init(count: Int) { parts = Array(repeating: [], count: count) }

    func set(_ index: Int, _ elements: [Element]) {
        lock.lock()
        parts[index] = elements
        lock.unlock()
    }

    func all() -> [[Element]] {
        lock.lock()
        defer { lock.unlock() }
        return parts
    }
}

typealias ParallelEvents = ParallelSlots<Event>
typealias ParallelStrings = ParallelSlots<String>
