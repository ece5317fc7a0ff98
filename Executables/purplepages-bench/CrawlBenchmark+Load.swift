import Foundation
import NostrCore
import NostrCoreTesting
import Synchronization

// MARK: - REQ latency

/// One REQ → EOSE timing of the latency loop.
struct LatencySample: Sendable {
    /// When the REQ was sent.
    let at: ContinuousClock.Instant
    let shape: Int
    let milliseconds: Double
    let events: Int
    let failed: Bool
}

/// A paced REQ loop against one relay: `clients` connections, each sending one REQ from the relay
/// benchmark's query mix every `interval` (a light, steady reader load, so that the latency it
/// sees is the relay's and does not itself slow the crawl much on a small machine).
final class RequestLoop: Sendable {
    /// The query shapes used (indices into `RequestBenchmark.shapes`): profile kinds by one and by
    /// 50 authors, a follower lookup, ids.
    static let shapes = [0, 1, 3, 5]

    /// Set when the loop is to end.
    private final class StopFlag: Sendable {
        let stopped = Atomic<Bool>(false)
    }

    private let flag: StopFlag
    private let task: Task<[LatencySample], Never>

    /// Starts the loop; it runs until `stop()`.
    init(session: RelaySession, corpus: Corpus, clients: Int, interval: Duration, seed: UInt64) {
        let flag = StopFlag()
        self.flag = flag
        task = Task {
            await withTaskGroup(of: [LatencySample].self) { group in
                for client in 0..<clients {
                    group.addTask {
                        await Self.client(
                            client, of: clients, session: session, corpus: corpus, interval: interval, seed: seed,
                            flag: flag)
                    }
                }
                var all: [LatencySample] = []
                for await part in group { all += part }
                return all.sorted { $0.at < $1.at }
            }
        }
    }

    /// Stops the loop; every sample it took.
    func stop() async -> [LatencySample] {
        flag.stopped.store(true, ordering: .relaxed)
        return await task.value
    }

    private static func client(
        _ index: Int, of clients: Int, session: RelaySession, corpus: Corpus, interval: Duration, seed: UInt64,
        flag: StopFlag
    ) async -> [LatencySample] {
        guard let connection = try? await session.connect() else { return [] }
        var random = SeededGenerator(seed: seed ^ 0x1A7E ^ UInt64(index) << 20)
        var samples: [LatencySample] = []
        let clock = ContinuousClock()
        // Clients start spread over one interval, so their REQs do not arrive together.
        var next = clock.now + interval * Double(index) / Double(clients)
        var count = 0
        while !flag.stopped.load(ordering: .relaxed) && !connection.isClosed {
            try? await clock.sleep(until: next)
            next = max(next + interval, clock.now)
            let shape = shapes[(index + count) % shapes.count]
            count += 1
            let filter = RequestBenchmark.filter(shape, corpus: corpus, random: &random)
            samples.append(await request(filter, shape: shape, id: "l\(count)", on: connection))
        }
        await connection.close()
        return samples
    }

    /// Sends one REQ, counts its stored events up to EOSE, then CLOSEs it.
    private static func request(
        _ filter: String, shape: Int, id: String, on connection: RelayConnection
    ) async
        -> LatencySample
    {
        let start = ContinuousClock.now
        var events = 0
        func failed() -> LatencySample {
            LatencySample(
                at: start, shape: shape, milliseconds: seconds(.now - start) * 1000, events: events, failed: true)
        }
        do {
            try await connection.send(#"["REQ",""# + id + #"","# + filter + "]")
            while let reply = await connection.next() {
                guard reply.string(1) == id else { continue }
                switch reply.type {
                case "EVENT": events += 1
                case "EOSE":
                    try await connection.send(#"["CLOSE",""# + id + #""]"#)
                    return LatencySample(
                        at: start, shape: shape, milliseconds: seconds(reply.at - start) * 1000, events: events,
                        failed: false)
                case "CLOSED": return failed()
                default: continue
                }
            }
        } catch {}
        return failed()
    }
}

/// The latency figures of a set of samples.
struct LatencySummary: Sendable {
    let requests: Int
    let failed: Int
    let p50: Double
    let p99: Double
    let max: Double
    let meanEvents: Double

    init(_ samples: [LatencySample]) {
        let good = samples.filter { !$0.failed }
        let percentiles = Percentiles(good.map(\.milliseconds))
        requests = samples.count
        failed = samples.count - good.count
        p50 = percentiles.at(0.5)
        p99 = percentiles.at(0.99)
        max = percentiles.sorted.last ?? .nan
        meanEvents = Double(good.reduce(0) { $0 + $1.events }) / Double(Swift.max(1, good.count))
    }

    /// `  412 REQs (0 failed): p50 0.81 ms, p99 3.20 ms, max 9.10 ms, 12.3 events each`.
    var line: String {
        "\(pad(requests, 6)) REQs (\(failed) failed): p50 \(String(format: "%.2f", p50)) ms, p99 "
            + "\(String(format: "%.2f", p99)) ms, max \(String(format: "%.2f", max)) ms, "
            + "\(String(format: "%.1f", meanEvents)) events each"
    }
}

// MARK: - WebSocket ingest

/// Publishes the crawl corpus's distinct events to a relay over WebSockets, as the relay
/// benchmark's ingest does (`publishers` connections, each keeping `window` EVENTs awaiting their
/// OK): the rate the crawl is compared with. The corpus is regenerated a batch at a time (it does
/// not fit in memory as messages at 1M events); only the publishing is timed.
struct CorpusPublisher {
    let session: RelaySession
    let publishers: Int
    let window: Int

    /// What the relay answered.
    struct Outcome: Sendable {
        var sent = 0
        var accepted = 0
        var duplicates = 0
        var rejected = 0
        var unanswered = 0
        /// Publishing time, generation excluded.
        var elapsed = Duration.zero
        /// One OK false message, if any.
        var rejection: String?

        mutating func add(_ other: Outcome) {
            sent += other.sent
            accepted += other.accepted
            duplicates += other.duplicates
            rejected += other.rejected
            unanswered += other.unanswered
            rejection = rejection ?? other.rejection
        }
    }

    func publish(_ plan: CrawlCorpusPlan, batch: Int) async throws -> Outcome {
        var stream = CorpusStream(generator: CorpusGenerator(pubkeys: plan.pubkeys, seed: plan.seed), batch: batch)
        let connections = try await session.connect(count: publishers)
        var total = Outcome()
        var published = 0
        while published < plan.events {
            let events = try stream.next(min(batch, plan.events - published))
            published += events.count
            // Messages are built before the clock starts; publisher i takes every publishers-th event.
            let shares: [[(id: String, message: String)]] = (0..<publishers).map { index in
                stride(from: index, to: events.count, by: publishers).map {
                    (events[$0].id.hex, #"["EVENT","# + events[$0].jsonString + "]")
                }
            }
            let started = ContinuousClock.now
            let outcome = await withTaskGroup(of: Outcome.self) { group in
                for (connection, share) in zip(connections, shares) {
                    group.addTask { await Self.publish(share, on: connection, window: window) }
                }
                var outcome = Outcome()
                for await part in group { outcome.add(part) }
                return outcome
            }
            total.elapsed += ContinuousClock.now - started
            total.add(outcome)
            if published % 200_000 < events.count || published == plan.events {
                print(
                    "  \(published) of \(plan.events) published, \(String(format: "%.0f", rate(total))) events/s "
                        + "so far")
                fflush(nil)
            }
        }
        await session.close(connections)
        return total
    }

    /// Events answered OK true per second of publishing.
    func rate(_ outcome: Outcome) -> Double { Double(outcome.accepted) / max(seconds(outcome.elapsed), 1e-9) }

    /// Sends `share` keeping up to `window` EVENTs unanswered, counting each OK by its event id.
    private static func publish(
        _ share: [(id: String, message: String)], on connection: RelayConnection, window: Int
    )
        async -> Outcome
    {
        var outcome = Outcome()
        var pending = Set<String>()
        var next = 0
        do {
            while next < share.count || !pending.isEmpty {
                while pending.count < window && next < share.count {
                    pending.insert(share[next].id)
                    try await connection.send(share[next].message)
                    next += 1
                }
                guard let reply = await connection.next() else { break }
                guard reply.type == "OK", let id = reply.string(1), pending.remove(id) != nil else { continue }
                if case .bool(true) = reply[2] {
                    outcome.accepted += 1
                    if reply.string(3)?.hasPrefix("duplicate") == true { outcome.duplicates += 1 }
                } else {
                    outcome.rejected += 1
                    outcome.rejection = outcome.rejection ?? reply.string(3)
                }
            }
        } catch {
            print("  publisher failed: \(error)")
        }
        outcome.sent = next
        outcome.unanswered = pending.count + (share.count - next)
        return outcome
    }
}
