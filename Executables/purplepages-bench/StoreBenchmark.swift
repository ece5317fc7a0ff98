import ArgumentParser
import Dispatch
import Foundation
import LMDBStore
import NostrCore
import NostrCoreTesting

/// `purplepages-bench store`: insert rate, store size and query latency of the event store on a
/// generated corpus shaped like this relay's data.
struct StoreBenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Insert events/s, store size vs JSONL, and query/COUNT latency p50/p99/max for the DESIGN.md mix."
    )

    @Option(help: "Events to generate (about 3.35 per pubkey).")
    var events = 1_000_000

    @Option(help: "Corpus seed.")
    var seed: UInt64 = 1

    @Option(help: "Queries per shape.")
    var queries = 2000

    @Option(
        help:
            "Events per write transaction (each transaction rewrites the index pages it touches, so bulk loads want large ones)."
    )
    var batch = 50_000

    @Option(help: "Store directory (default: a temporary one, removed afterwards).")
    var path: String?

    @Flag(help: "Keep the store directory.")
    var keep = false

    @Flag(help: "Query the store already at --path (made with the same --events and --seed) instead of inserting.")
    var reuse = false

    @Option(help: "Run only the query shapes whose name contains this text.")
    var only: String?

    func run() throws {
        let directory = path ?? NSTemporaryDirectory() + "purplepages-bench-store-\(UUID().uuidString)"
        defer { if !keep && !reuse { try? FileManager.default.removeItem(atPath: directory) } }
        let store = try EventStore(
            configuration: .init(path: directory, mapSizeGB: 64, maxLimit: 5000, maxBatchEvents: batch))
        defer { store.close() }

        let pubkeys = max(2, Int(Double(events) / 3.35))
        print("generating keys for \(pubkeys) pubkeys ...")
        let generator = CorpusGenerator(pubkeys: pubkeys, seed: seed)
        let sample = reuse ? try sampleStored(store) : try insertCorpus(generator, into: store)
        let stats = try store.statistics()
        let ratio = Double(stats.sizeBytes) / Double(sample.jsonlBytes)
        print(
            "store: \(stats.totalEvents) events, \(stats.sizeBytes / 1_000_000) MB on disk for"
                + " \(sample.jsonlBytes / 1_000_000) MB of JSONL (\(String(format: "%.2f", ratio))x)")
        try measureQueries(store, generator: generator, sample: sample)
    }

    /// What the query mix draws from.
    struct Sample {
        var jsonlBytes = 0
        var ids: [EventID] = []
        var listAuthors: [PublicKey] = []
    }

    private func insertCorpus(_ generator: CorpusGenerator, into store: EventStore) throws -> Sample {
        var sample = Sample()
        let clock = ContinuousClock()
        var insertTime = Duration.zero
        var inserted = 0
        var nextPubkey = 0
        var random = SeededGenerator(seed: seed ^ 0xB0B)
        let started = clock.now
        while inserted < events && nextPubkey < generator.keyPairs.count {
            // Generate a batch on every core, then time only the write.
            let first = nextPubkey
            let count = min(batch / 3, generator.keyPairs.count - first)
            nextPubkey += count
            let parts = SendableBox(ParallelBatches(count: count))
            DispatchQueue.concurrentPerform(iterations: count) { offset in
                parts.value.set(offset, generator.events(forPubkey: first + offset))
            }
            let batchEvents = Array(parts.value.all().flatMap { $0 }.prefix(events - inserted))
            for event in batchEvents {
                sample.jsonlBytes += event.rawJSON.count + 1
                if random.next() % 200 == 0 { sample.ids.append(event.id) }
                if event.kind == .muteList || event.kind.rawValue == 30000, sample.listAuthors.count < 100_000 {
                    sample.listAuthors.append(event.pubkey)
                }
            }
            let start = clock.now
            _ = try store.saveAndWait(batchEvents)
            insertTime += clock.now - start
            inserted += batchEvents.count
            if inserted % 100_000 < batchEvents.count {
                print("  \(inserted) events, \(Int(Double(inserted) / seconds(insertTime))) inserted/s")
            }
        }
        print(
            "insert: \(inserted) events in \(String(format: "%.1f", seconds(insertTime))) s of writing"
                + " = \(Int(Double(inserted) / seconds(insertTime))) events/s"
                + " (batches of \(batch); \(String(format: "%.0f", seconds(clock.now - started))) s with generation)")
        return sample
    }

    /// Draws the query sample from a store made by an earlier run.
    private func sampleStored(_ store: EventStore) throws -> Sample {
        var sample = Sample()
        var index = 0
        try store.scanAll { stored in
            sample.jsonlBytes += stored.json.count + 1
            index += 1
            if index % 200 == 0 || index % 7 == 0, let event = try? Event(json: Array(stored.json)) {
                if index % 200 == 0 { sample.ids.append(event.id) }
                if event.kind == .muteList || event.kind.rawValue == 30000 { sample.listAuthors.append(event.pubkey) }
            }
            return true
        }
        return sample
    }

    private func measureQueries(_ store: EventStore, generator: CorpusGenerator, sample: Sample) throws {
        var random = SeededGenerator(seed: seed ^ 0x51)
        let keys = generator.keyPairs.map(\.publicKey)
        func authors(_ count: Int) -> [PublicKey] {
            (0..<count).map { _ in keys[Int(random.next() % UInt64(keys.count))] }
        }
        // Followed pubkeys: half drawn from the most popular (the corpus's Zipf head), half at random.
        let popular = try mostFollowed(store, keys: keys, random: &random)
        func followed() -> PublicKey {
            random.next() % 2 == 0 ? popular[Int(random.next() % UInt64(popular.count))] : authors(1)[0]
        }
        let shapes: [(String, () -> [Filter])] = [
            ("kind 0 by 1 author", { [Filter(authors: authors(1), kinds: [.metadata])] }),
            ("kind 3 by 1 author", { [Filter(authors: authors(1), kinds: [.followList])] }),
            ("kind 10002 by 1 author", { [Filter(authors: authors(1), kinds: [.relayList])] }),
            ("kinds 0/3/10002 by 50 authors", { [Filter(authors: authors(50), kinds: [0, 3, 10002])] }),
            ("kinds 0/3/10002 by 500 authors", { [Filter(authors: authors(500), kinds: [0, 3, 10002])] }),
            ("kind 0 by 500 authors", { [Filter(authors: authors(500), kinds: [.metadata])] }),
            (
                "followers #p limit 500",
                { [Filter(kinds: [.followList], tags: [TagCondition("p", [followed().hex])], limit: 500)] }
            ),
            (
                "NIP-51 lists by 1 author",
                {
                    let author =
                        sample.listAuthors.isEmpty
                        ? authors(1)[0] : sample.listAuthors[Int(random.next() % UInt64(sample.listAuthors.count))]
                    return [Filter(authors: [author], kinds: [10000, 10001, 10003, 30000])]
                }
            ),
            (
                "20 ids",
                { [Filter(ids: (0..<20).map { _ in sample.ids[Int(random.next() % UInt64(sample.ids.count))] })] }
            ),
        ]
        print("queries (\(queries) each; latency of the whole result, JSON bytes touched):")
        print("  shape                               p50 ms   p99 ms   max ms   mean results")
        for (name, make) in shapes where only.map({ name.contains($0) }) ?? true {
            var latencies: [Double] = []
            var touched = 0
            for _ in 0..<queries {
                let filters = make()
                let start = DispatchTime.now().uptimeNanoseconds
                // Touch each result's bytes as a relay copying them into a frame would.
                try store.query(filters) { touched &+= Int($0.json.last ?? 0) &+ $0.json.count }
                latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            precondition(touched >= 0)
            var total = 0
            for _ in 0..<min(queries, 200) { total += try store.queryJSON(make()).count }
            report(name, latencies, meanResults: Double(total) / Double(min(queries, 200)))
        }
        var countLatencies: [Double] = []
        var counted = 0
        for _ in 0..<queries {
            let filter = Filter(kinds: [.followList], tags: [TagCondition("p", [followed().hex])])
            let start = DispatchTime.now().uptimeNanoseconds
            counted += try store.count([filter]).count
            countLatencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        report("COUNT followers", countLatencies, meanResults: Double(counted) / Double(queries))
    }

    private func mostFollowed(
        _ store: EventStore, keys: [PublicKey], random: inout SeededGenerator
    ) throws
        -> [PublicKey]
    {
        // Count followers for a sample of keys and keep the top ones: the corpus's popular pubkeys.
        var counts: [(PublicKey, Int)] = []
        for _ in 0..<min(20_000, keys.count) {
            let key = keys[Int(random.next() % UInt64(keys.count))]
            let filter = Filter(kinds: [.followList], tags: [TagCondition("p", [key.hex])])
            counts.append((key, try store.count([filter]).count))
        }
        counts.sort { $0.1 > $1.1 }
        let top = counts.prefix(200)
        print("follower counts of the popular sample: max \(top.first?.1 ?? 0), 200th \(top.last?.1 ?? 0)")
        return top.map(\.0)
    }

    private func report(_ name: String, _ latencies: [Double], meanResults: Double) {
        let sorted = latencies.sorted()
        func at(_ fraction: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))] }
        print(
            "  \(name.padding(toLength: 34, withPad: " ", startingAt: 0))"
                + String(format: " %8.3f %8.3f %8.3f %14.1f", at(0.5), at(0.99), sorted.last ?? 0, meanResults))
    }
}

/// Per-pubkey event lists filled from concurrent generation.
final class ParallelBatches: @unchecked Sendable {
    private var parts: [[Event]]
    private let lock = NSLock()

    init(count: Int) { parts = Array(repeating: [], count: count) }

    func set(_ index: Int, _ events: [Event]) {
        lock.lock()
        parts[index] = events
        lock.unlock()
    }

    func all() -> [[Event]] { parts }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}
