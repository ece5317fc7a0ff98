// The generated corpus `purplepages-bench relay` publishes and queries.
import Dispatch
import Foundation
import NostrCore
import NostrCoreTesting

// MARK: - Corpus

/// A generated corpus and the samples the REQ mix draws from.
struct Corpus: Sendable {
    var events: [Event]
    var pubkeys: [PublicKey]
    var ids: [EventID]
    var listAuthors: [PublicKey]

    /// Generates the corpus of `pubkeys` key pairs from `seed` on every core.
    static func generate(pubkeys: Int, seed: UInt64) -> Corpus {
        let clock = ContinuousClock()
        let start = clock.now
        let generator = CorpusGenerator(pubkeys: max(1, pubkeys), seed: seed)
        let count = generator.keyPairs.count
        let parts = SendableBox(ParallelBatches(count: count))
        DispatchQueue.concurrentPerform(iterations: count) { index in
            parts.value.set(index, generator.events(forPubkey: index))
        }
        let events = parts.value.all().flatMap { $0 }
        let lists = events.filter { $0.kind == .muteList || $0.kind.rawValue == 30000 }.map(\.pubkey)
        var random = SeededGenerator(seed: seed ^ 0x1D5)
        let ids = (0..<min(20_000, events.count)).map { _ in events[Int(random.next() % UInt64(events.count))].id }
        print(
            "corpus: \(events.count) events of \(count) pubkeys (seed \(seed)),"
                + " generated in \(String(format: "%.1f", seconds(clock.now - start))) s")
        return Corpus(
            events: events, pubkeys: generator.keyPairs.map(\.publicKey), ids: ids,
            listAuthors: lists.isEmpty ? generator.keyPairs.map(\.publicKey) : lists)
    }

    /// What the REQ mix needs from a corpus already stored (for example a 1M-event store made by
    /// `purplepages-bench store --keep`): every pubkey, and ids and list authors from the events of
    /// one pubkey in `every` (regenerated: the corpus is deterministic). `events` stays empty.
    static func sampled(pubkeys: Int, seed: UInt64, every: Int = 50) -> Corpus {
        let clock = ContinuousClock()
        let start = clock.now
        let generator = CorpusGenerator(pubkeys: max(1, pubkeys), seed: seed)
        let picked = Array(stride(from: 0, to: generator.keyPairs.count, by: max(1, every)))
        let parts = SendableBox(ParallelBatches(count: picked.count))
        DispatchQueue.concurrentPerform(iterations: picked.count) { index in
            parts.value.set(index, generator.events(forPubkey: picked[index]))
        }
        let events = parts.value.all().flatMap { $0 }
        let lists = events.filter { $0.kind == .muteList || $0.kind.rawValue == 30000 }.map(\.pubkey)
        print(
            "corpus: \(generator.keyPairs.count) pubkeys (seed \(seed)), \(events.count) events regenerated"
                + " for the REQ sample in \(String(format: "%.1f", seconds(clock.now - start))) s")
        return Corpus(
            events: [], pubkeys: generator.keyPairs.map(\.publicKey), ids: events.map(\.id),
            listAuthors: lists.isEmpty ? generator.keyPairs.map(\.publicKey) : lists)
    }
}
