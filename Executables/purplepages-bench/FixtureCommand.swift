import ArgumentParser
import Dispatch
import EventTransfer
import Foundation
import NostrCore
import NostrCoreTesting

/// `purplepages-bench fixture`: writes the generated corpus of the store benchmark (same shape,
/// same seed) as JSONL, for the import benchmark and for trying imports by hand.
struct FixtureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fixture",
        abstract:
            "Write N generated signed events (the store benchmark's corpus) as JSONL (gzip when the name ends in .gz)."
    )

    @Option(help: "Events to generate (about 3.35 per pubkey).")
    var events = 1_000_000

    @Option(help: "Corpus seed.")
    var seed: UInt64 = 1

    @Option(name: .shortAndLong, help: "Output file.")
    var output: String

    func run() throws {
        let pubkeys = max(2, Int(Double(events) / 3.35))
        let generator = CorpusGenerator(pubkeys: pubkeys, seed: seed)
        let file = try OutputFile(path: output)
        var written = 0
        var next = 0
        let clock = ContinuousClock()
        let start = clock.now
        while written < events && next < generator.keyPairs.count {
            let first = next
            let count = min(10_000, generator.keyPairs.count - first)
            next += count
            let parts = SendableBox(ParallelBatches(count: count))
            DispatchQueue.concurrentPerform(iterations: count) { offset in
                parts.value.set(offset, generator.events(forPubkey: first + offset))
            }
            for event in parts.value.all().flatMap({ $0 }).prefix(events - written) {
                try event.rawJSON.withUnsafeBytes { try file.writeLine($0) }
                written += 1
            }
        }
        try file.finish()
        print(
            "fixture: \(written) events of \(pubkeys) pubkeys (seed \(seed)) in \(output), \(String(format: "%.1f", seconds(clock.now - start))) s"
        )
    }
}
