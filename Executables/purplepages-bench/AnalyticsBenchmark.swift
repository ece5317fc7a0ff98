import ArgumentParser
import Dispatch
import Foundation
import NostrCore
import NostrCoreTesting
import Synchronization

/// `purplepages-bench analytics`: one `purplepages-analytics --once` pass over a generated follow
/// graph, timed and its memory sampled, while a relay on the same store answers a REQ load whose
/// latency is compared with the same load before the pass.
struct AnalyticsBenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analytics",
        abstract: "Analytics worker pass time and peak RSS, and relay REQ p99 before and during the pass.",
        discussion: """
            Writes --pubkeys kind 3 events holding about --follows p tags in total to the store at --store \
            (unless --reuse finds one made with the same parameters; see bench-params.txt there), starts \
            `purplepages` and `purplepages-analytics` from the directory of this binary on it, measures a \
            closed-loop REQ mix from --clients connections for --idle-seconds, then again while one worker \
            pass runs against --database-url, and prints the goals: pass < 60 s, peak RSS < 2 GiB, relay p99 \
            during / idle <= 1.2. The events are not signed (random signatures): nothing here verifies them.
            """
    )

    @Option(help: "Pubkeys in the generated follow graph (one kind 3 event each).")
    var pubkeys = 1_000_000

    @Option(help: "Follows (p tags) in all the follow lists together, about.")
    var follows = 30_000_000

    @Option(help: "Graph seed.")
    var seed: UInt64 = 1

    @Option(help: "The store directory (its data.mdb, lock.mdb and bench-params.txt are replaced unless reused).")
    var store: String

    @Flag(help: "Keep the store at --store if it was generated with the same --pubkeys, --follows and --seed.")
    var reuse = false

    @Option(
        name: .customLong("database-url"), help: "The analytics database (default: $PURPLEPAGES_TEST_DATABASE_URL).")
    var databaseURL: String?

    @Option(help: "Port of the relay the benchmark starts.")
    var relayPort = 3391

    @Option(help: "Seconds of REQ load before the worker starts: the baseline.")
    var idleSeconds = 20.0

    @Option(help: "REQ clients, each sending its next REQ once the last one's EOSE is in.")
    var clients = 1

    @Option(help: "Seconds any single wait for the relay may last.")
    var timeout = 30.0

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let database = databaseURL ?? environment["PURPLEPAGES_TEST_DATABASE_URL"], !database.isEmpty else {
            throw ValidationError("no analytics database: pass --database-url, or run under scripts/with-postgres")
        }
        let binaries = try Binaries.siblings()
        let storePath = URL(fileURLWithPath: store).standardizedFileURL.path
        let clock = ContinuousClock()
        let planned = clock.now
        let graph = FollowGraphGenerator(pubkeys: pubkeys, follows: follows, seed: seed)
        print(
            "graph: \(pubkeys) pubkeys, \(graph.degrees.reduce(0) { $0 + Int($1) }) follows planned"
                + " (\(graph.rings.count) bot rings), keys and degrees in \(format(clock.now - planned))")
        let writer = FollowGraphWriter(
            graph: graph, directory: storePath, parameters: graph.parameters(follows: follows))
        if reuse && writer.isReusable {
            print("store: reusing \(storePath) (\(FollowGraphWriter.markerFile) matches)")
        } else {
            // About 170 bytes per follow (the p tag in the event JSON and its index entry) plus the events.
            try writer.write(estimatedBytes: follows * 170 + pubkeys * 500)
        }

        let work = NSTemporaryDirectory() + "purplepages-bench-analytics-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        ChildProcesses.stopOnSignals(removing: work)
        let relayConfig = work + "/relay.json"
        let workerConfig = work + "/analytics.json"
        try writeConfiguration(relayConfig, store: storePath, database: "")
        try writeConfiguration(workerConfig, store: storePath, database: database)
        let relayLog = work + "/relay.log"
        let relay = try ChildProcess(executable: binaries.relay, arguments: ["--config", relayConfig], log: relayLog)
        defer { relay.stop() }
        let mix = RequestMix(pubkeys: graph.pubkeys, popular: graph.popular(1000))
        let command = self
        let outcome = try runBlocking {
            try await command.measure(
                relay: relay, relayLog: relayLog, mix: mix, worker: binaries.analytics, workerConfig: workerConfig)
        }
        if relay.hasExited {
            throw RelayBenchmarkError(description: "the relay exited during the benchmark: \(relay.exitDescription)")
        }
        outcome.summarize()
        if !outcome.workerSucceeded { throw ExitCode(1) }
    }

    /// The idle baseline, then the worker's pass under the same load.
    private func measure(
        relay: ChildProcess, relayLog: String, mix: RequestMix, worker: String, workerConfig: String
    ) async throws -> AnalyticsOutcome {
        let url = "ws://127.0.0.1:\(relayPort)"
        try await waitForRelay(relay, log: relayLog, url: url)
        let session = RelaySession(url: url, timeout: .milliseconds(Int(timeout * 1000)))
        let connections = try await session.connect(count: clients)
        let load = RequestLoad(mix: mix, connections: connections, seed: seed)

        print(
            "relay idle: REQ mix from \(clients) client(s) for \(idleSeconds) s (REQ → EOSE, ms),"
                + " after a 3 s warm-up that is not counted")
        fflush(nil)  // progress shows in time even when stdout is a pipe
        let warm = ContinuousClock.now + .seconds(3)
        _ = await load.run(phase: 0) { ContinuousClock.now >= warm }
        let deadline = ContinuousClock.now + .milliseconds(Int(idleSeconds * 1000))
        let idle = await load.run(phase: 1) { ContinuousClock.now >= deadline }
        idle.report()

        print("worker: purplepages-analytics --once, the same REQ mix until it exits")
        fflush(nil)
        let process = try ChildProcess(
            executable: worker, arguments: ["--config", workerConfig, "--once"], echoPrefix: "  | ")
        let monitor = MemoryMonitor(pid: process.pid)
        let during = await load.run(phase: 2) { process.hasExited }
        let wall = process.waitForExit()
        let memory = monitor.stop()
        process.waitForOutput()
        await session.close(connections)
        print("worker: \(process.exitDescription) after \(String(format: "%.1f", wall)) s")
        print("relay during the pass:")
        during.report()
        return AnalyticsOutcome(
            wallSeconds: wall, memory: memory, workerSucceeded: process.exitedNormally,
            workerPeakReport: process.lines.last { $0.contains("peak RSS") }, idle: idle, during: during)
    }

    /// Waits until the relay logged that it listens and accepts a WebSocket connection.
    private func waitForRelay(_ relay: ChildProcess, log: String, url: String) async throws {
        let probe = RelaySession(url: url, timeout: .seconds(2))
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if relay.hasExited {
                throw RelayBenchmarkError(
                    description: "the relay exited (\(relay.exitDescription)); its log:\n\(text.suffix(2000))")
            }
            if text.contains("listening on"), let connection = try? await probe.connect() {
                await connection.close()
                print("relay: pid \(relay.pid) on \(url)")
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw RelayBenchmarkError(description: "the relay did not accept connections on \(url) within 60 s")
    }

    /// A configuration for the relay (`database` empty: no request tracking) or the worker.
    private func writeConfiguration(_ path: String, store: String, database: String) throws {
        let object: [String: Any] = [
            "server": ["host": "127.0.0.1", "port": relayPort],
            "storage": ["path": store, "map_size_gb": 64, "analytics_db_url": database],
            // 0 turns each limit off.
            "limits": ["event_rate": 0, "req_rate": 0, "connection_rate": 0, "events_per_day_limit": 0],
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: path))
    }
}

/// Runs `body` on the concurrency pool and waits for it (ArgumentParser runs this subcommand
/// synchronously, as `RelayBenchmarkCommand` explains).
func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let result = Mutex<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let value: Result<T, any Error>
        do { value = .success(try await body()) } catch { value = .failure(error) }
        result.withLock { $0 = value }
        done.signal()
    }
    done.wait()
    return try result.withLock { $0! }.get()
}

/// The relay and worker binaries next to this one.
struct Binaries {
    let relay: String
    let analytics: String

    static func siblings() throws -> Binaries {
        let argument = CommandLine.arguments[0]
        let path =
            argument.contains("/")
            ? argument : (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? argument
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let binaries = Binaries(relay: directory + "/purplepages", analytics: directory + "/purplepages-analytics")
        for binary in [binaries.relay, binaries.analytics] where !FileManager.default.isExecutableFile(atPath: binary) {
            throw RelayBenchmarkError(
                description: "\(binary) is missing: build the purplepages and purplepages-analytics products too")
        }
        return binaries
    }
}

// MARK: - Results

/// What the pass and the two load phases measured.
struct AnalyticsOutcome {
    let wallSeconds: Double
    let memory: MemoryMonitor.Peaks
    let workerSucceeded: Bool
    /// The worker's own closing line (`analytics: peak RSS ...`), if it printed one.
    let workerPeakReport: String?
    let idle: LoadResult
    let during: LoadResult

    func summarize() {
        let idleP99 = idle.latencies.at(0.99)
        let duringP99 = during.latencies.at(0.99)
        let ratio = duringP99 / idleP99
        let peak = memory.highWaterKiB / 1024
        print("")
        print(
            "worker memory (\(memory.samples) samples, every 100 ms): VmHWM \(peak) MiB, largest VmRSS"
                + " \(memory.residentKiB / 1024) MiB, largest RssAnon \(memory.anonymousKiB / 1024) MiB"
                + " (its own memory; VmHWM also counts the pages of the file-backed store map it touched),"
                + " largest RssFile \(memory.fileKiB / 1024) MiB")
        if let workerPeakReport { print("worker's own report: \(workerPeakReport)") }
        func milliseconds(_ value: Double) -> String { String(format: "%.2f", value) }
        print(
            "analytics: total \(String(format: "%.1f", wallSeconds)) s (goal < 60 s), peak RSS \(peak) MiB"
                + " (goal < 2048 MiB), relay p99 idle \(milliseconds(idleP99)) ms,"
                + " during \(milliseconds(duringP99)) ms, ratio \(String(format: "%.2f", ratio)) (goal <= 1.2)")
        let verdicts = [
            ("time", wallSeconds < 60), ("memory", peak < 2048), ("relay p99", ratio <= 1.2),
            ("worker exit", workerSucceeded),
        ]
        print("goals: " + verdicts.map { "\($0.0) \($0.1 ? "met" : "MISSED")" }.joined(separator: ", "))
    }
}
