import ArgumentParser
import Dispatch
import Foundation
import NostrCore
import NostrCoreTesting
import Synchronization

/// `purplepages-bench relay`: measures a running relay from outside, over real WebSockets.
///
/// A synchronous command (the root command is synchronous, and ArgumentParser runs an async
/// subcommand only under an async root) that runs its async body on the concurrency pool.
struct RelayBenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Ingest events/s, REQ → EOSE latency and live fan-out latency of a running relay.",
        discussion: """
            Run the relay with a config that disables rate limiting, e.g. very large `limits.event_rate`, \
            `event_burst`, `req_rate`, `req_burst`, `connection_rate`, `connection_burst` and \
            `events_per_day_limit`, and that keeps kind 0 in `allowed_kinds` (the default; fanout publishes \
            kind 0 updates). Ingest events are new only on an empty store or with a new --seed \
            (otherwise they count as OK true duplicates). The client shares the machine with the relay, \
            so its own CPU use is part of every figure. `--mode req` alone expects the corpus of the same \
            --pubkeys and --seed to be stored already (run `--mode ingest` first). Fanout opens \
            --subscribers connections: raise `ulimit -n` on both sides if needed. `--mode idle --pid PID` opens \
            --connections idle connections and reports the relay's RSS growth per connection (not part of \
            `all`: measure a freshly started relay). `--mode req --stored` queries a store built by `purplepages-bench store \
            --events N --path DIR --keep` (start the relay on DIR, pass --pubkeys N/3.35 and the same --seed).
            """
    )

    /// The benchmark modes.
    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case ingest, req, fanout, idle, all
    }

    @Option(help: "Relay URL.")
    var url = "ws://127.0.0.1:3335"

    @Option(help: "Pubkeys in the generated corpus (about 3.35 events each).")
    var pubkeys = 3000

    @Option(help: "Corpus seed.")
    var seed: UInt64 = 1

    @Option(help: "What to measure.")
    var mode: Mode = .all

    @Option(help: "Events per publisher awaiting their OK (ingest).")
    var window = 100

    @Option(help: "Events per run for the 1- and 10-publisher ingest runs (fresh keys each).")
    var slice = 3000

    @Option(help: "Concurrent REQ clients.")
    var clients = 50

    @Option(help: "REQs in total over all clients.")
    var requests = 2000

    @Option(help: "Subscriber connections for fanout.")
    var subscribers = 1000

    @Option(help: "Events fanout publishes, 250 ms apart.")
    var fanoutEvents = 40

    @Option(help: "Idle connections to open (idle).")
    var connections = 10_000

    @Option(help: "The relay's process id, to read its memory (idle).")
    var pid: Int32?

    @Flag(
        help: """
            REQ against a corpus already stored (e.g. by `purplepages-bench store --events N --keep`, whose \
            --pubkeys is N / 3.35): regenerate only keys and a sample instead of every event.
            """)
    var stored = false

    @Option(help: "Seconds any single wait for the relay may last.")
    var timeout = 30.0

    func run() throws {
        let outcome = AsyncOutcome()
        let done = DispatchSemaphore(value: 0)
        let command = self
        Task {
            do {
                try await command.runAsync()
                outcome.set(.success(()))
            } catch {
                outcome.set(.failure(error))
            }
            done.signal()
        }
        done.wait()
        try outcome.get()
    }

    private func runAsync() async throws {
        let session = RelaySession(url: url, timeout: .milliseconds(Int(timeout * 1000)))
        let corpus: Corpus? =
            switch mode {
            case .req where stored: Corpus.sampled(pubkeys: pubkeys, seed: seed)
            case .ingest, .req, .all: Corpus.generate(pubkeys: pubkeys, seed: seed)
            case .fanout, .idle: nil
            }
        if mode == .ingest || mode == .all, let corpus {
            try await IngestBenchmark(session: session, window: window).run(
                corpus: corpus, slice: slice, pubkeys: pubkeys, seed: seed)
        }
        if mode == .req || mode == .all, let corpus {
            try await RequestBenchmark(session: session, clients: clients, requests: requests).run(
                corpus: corpus, seed: seed)
        }
        if mode == .fanout || mode == .all {
            try await FanoutBenchmark(session: session, subscribers: subscribers, events: fanoutEvents).run()
        }
        if mode == .idle {
            guard let pid else { throw ValidationError("--mode idle needs the relay's --pid") }
            try await IdleBenchmark(session: session, connections: connections, pid: pid, hold: .seconds(3)).run()
        }
    }
}

/// The result of the async body, handed back to the synchronous `run`.
final class AsyncOutcome: Sendable {
    private let result = Mutex<Result<Void, any Error>>(.success(()))

    func set(_ value: Result<Void, any Error>) { result.withLock { $0 = value } }
    func get() throws { try result.withLock { $0 }.get() }
}

// MARK: - Figures

/// p50, p99 and max of a set of milliseconds.
struct Percentiles {
    let sorted: [Double]

    init(_ values: [Double]) { sorted = values.sorted() }

    func at(_ fraction: Double) -> Double {
        sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }

    var formatted: String { String(format: "%8.2f %8.2f %8.2f", at(0.5), at(0.99), sorted.last ?? .nan) }
}

func pad(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return String(repeating: " ", count: max(0, width - text.count)) + text
}
