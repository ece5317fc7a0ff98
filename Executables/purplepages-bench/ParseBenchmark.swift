import ArgumentParser
import Dispatch
import Foundation
import NostrCore
import NostrCoreTesting

/// `purplepages-bench parse`: NostrCore's message parsing and event validation against Foundation
/// and the bare libsecp256k1 verification ceiling, on one generated corpus in one run.
struct ParseBenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Events/s for parse, parse + id, parse + id + signature, Foundation, and the verify ceiling."
    )

    @Option(help: "Pubkeys in the generated corpus (about 3.3 events each).")
    var pubkeys = 6000

    @Option(help: "Corpus seed.")
    var seed: UInt64 = 1

    @Option(help: "Minimum seconds per measurement.")
    var seconds = 3.0

    @Option(help: "Measure only the rows whose name contains this text (for profiling).")
    var only: String?

    @Option(help: "Threads for the multi-core rows (default: every core).")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    func run() throws {
        let clock = ContinuousClock()
        let start = clock.now
        let generator = CorpusGenerator(pubkeys: pubkeys, seed: seed)
        let events = generator.allEvents()
        let messages: [[UInt8]] = events.map { Array(#"["EVENT","#.utf8) + $0.rawJSON + [UInt8(ascii: "]")] }
        let bytes = messages.reduce(0) { $0 + $1.count }
        let kind3 = events.filter { $0.kind == .followList }
        let meanTags = Double(kind3.reduce(0) { $0 + $1.tags.count }) / Double(max(kind3.count, 1))
        print(
            "corpus: \(events.count) events, \(bytes / 1_000_000) MB, mean \(bytes / events.count) bytes/event,"
                + " kind 3 mean \(Int(meanTags)) p tags; generated in \(format(clock.now - start))")
        let triples = events.map { ($0.sig, $0.id.raw, $0.pubkey) }

        var rows: [(String, Double)] = []
        func measure(_ name: String, perPass: Int, threads: Int = 1, _ pass: @escaping @Sendable (Int) -> Void) {
            if let only, !name.contains(only) {
                rows.append((name, .nan))
                return
            }
            let rate = Throughput.measure(seconds: seconds, itemsPerPass: perPass, threads: threads, pass)
            rows.append((name, rate))
            let megabytes = rate * Double(bytes) / Double(events.count) / 1_000_000
            print(
                "  \(name.padding(toLength: 44, withPad: " ", startingAt: 0)) \(pad(Int(rate), 10)) events/s"
                    + "  \(pad(Int(megabytes), 6)) MB/s")
        }

        let corpus = SendableBox(messages)
        let signatures = SendableBox(triples)
        print("single core:")
        measure("Foundation JSONSerialization (parse only)", perPass: messages.count) { _ in
            for message in corpus.value {
                _ = try? JSONSerialization.jsonObject(with: Data(message))
            }
        }
        measure("NostrCore parse", perPass: messages.count) { _ in
            for message in corpus.value { _ = try? ClientMessage.parse(message) }
        }
        measure("NostrCore parse + id", perPass: messages.count) { _ in
            for message in corpus.value {
                if case .event(let event) = try? ClientMessage.parse(message) {
                    try? event.validate(verifySignature: false)
                }
            }
        }
        measure("NostrCore parse + id + signature", perPass: messages.count) { _ in
            for message in corpus.value {
                if case .event(let event) = try? ClientMessage.parse(message) { try? event.validate() }
            }
        }
        measure("NostrCore parse + id + signature, key cache", perPass: messages.count) { _ in
            // A cold cache per pass: hits come only from authors repeating within the corpus.
            let cache = PublicKeyCache()
            for message in corpus.value {
                if case .event(let event) = try? ClientMessage.parse(message) { try? event.validate(keyCache: cache) }
            }
        }
        measure("libsecp256k1 verify alone (the ceiling)", perPass: triples.count) { _ in
            for (sig, id, pubkey) in signatures.value { _ = Schnorr.verify(sig, of: id, by: pubkey) }
        }
        if threads > 1 {
            print("\(threads) threads:")
            measure("NostrCore parse + id + signature", perPass: messages.count, threads: threads) { part in
                for index in stride(from: part, to: corpus.value.count, by: threads) {
                    if case .event(let event) = try? ClientMessage.parse(corpus.value[index]) { try? event.validate() }
                }
            }
            let sharedCache = SendableBox(PublicKeyCache())
            measure("NostrCore parse + id + signature, key cache", perPass: messages.count, threads: threads) { part in
                // Shared by the threads, emptied by the first one at the start of each pass.
                if part == 0 { sharedCache.value.removeAll() }
                for index in stride(from: part, to: corpus.value.count, by: threads) {
                    if case .event(let event) = try? ClientMessage.parse(corpus.value[index]) {
                        try? event.validate(keyCache: sharedCache.value)
                    }
                }
            }
            measure("libsecp256k1 verify alone (the ceiling)", perPass: triples.count, threads: threads) { part in
                for index in stride(from: part, to: signatures.value.count, by: threads) {
                    let (sig, id, pubkey) = signatures.value[index]
                    _ = Schnorr.verify(sig, of: id, by: pubkey)
                }
            }
        }
        guard only == nil else { return }
        let rate = Dictionary(rows.map { ($0.0, $0.1) }, uniquingKeysWith: { first, _ in first })
        let parse = rate["NostrCore parse"]! / rate["Foundation JSONSerialization (parse only)"]!
        print("parse vs Foundation: \(String(format: "%.1f", parse))x (goal >= 10x)")
        let ceiling = rows[5].1
        print(
            "full validation vs verify ceiling, 1 core: \(String(format: "%.1f", 100 * rows[3].1 / ceiling))%,"
                + " with the key cache \(String(format: "%.1f", 100 * rows[4].1 / ceiling))% (goal >= 90%)")
        if rows.count > 8 {
            print(
                "full validation vs verify ceiling, \(threads) threads: \(String(format: "%.1f", 100 * rows[6].1 / rows[8].1))%,"
                    + " with the key cache \(String(format: "%.1f", 100 * rows[7].1 / rows[8].1))%")
        }
    }

}

/// Runs a pass over a corpus repeatedly and reports items per second.
enum Throughput {
    /// Repeats `pass` (on `threads` threads at once, each given its thread number) until at least
    /// `seconds` have passed, after one warm-up pass; returns items per second.
    static func measure(
        seconds: Double, itemsPerPass: Int, threads: Int, _ pass: @escaping @Sendable (Int) -> Void
    ) -> Double {
        let clock = ContinuousClock()
        DispatchQueue.concurrentPerform(iterations: threads) { pass($0) }
        var passes = 0
        let start = clock.now
        var elapsed = Duration.zero
        repeat {
            DispatchQueue.concurrentPerform(iterations: threads) { pass($0) }
            passes += 1
            elapsed = clock.now - start
        } while elapsed < .seconds(seconds)
        let total = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Double(passes * itemsPerPass) / total
    }
}

/// Hands immutable benchmark data to concurrent passes.
struct SendableBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

func format(_ duration: Duration) -> String {
    let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    return String(format: "%.1f s", seconds)
}
