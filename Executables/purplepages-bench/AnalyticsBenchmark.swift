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
        let watchdog = Watchdog()
        defer { watchdog.stop() }
        let url = "ws://127.0.0.1:\(relayPort)"
        try await waitForRelay(relay, log: relayLog, url: url, watchdog: watchdog)
        let session = RelaySession(url: url, watchdog: watchdog, timeout: .milliseconds(Int(timeout * 1000)))
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
    private func waitForRelay(_ relay: ChildProcess, log: String, url: String, watchdog: Watchdog) async throws {
        let probe = RelaySession(url: url, watchdog: watchdog, timeout: .seconds(2))
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if relay.hasExited {
                throw RelayBenchmarkError(
                    description: "the relay exited (\(relay.exitDescription)); its log:\n\(text.suffix(2000))")
            }
            if text.contains("listening on"), let connection = try? await RelayConnection.connect(session: probe) {
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

// MARK: - REQ load

/// The pubkeys the REQ mix draws from.
struct RequestMix: Sendable {
    let pubkeys: [PublicKey]
    /// The most followed pubkeys, for follower lookups.
    let popular: [PublicKey]

    static let shapes = ["kind 3 by 1 author", "kinds 0/3/10002 by 50 authors", "followers #p limit 500"]

    /// The filter JSON of shape `shape`.
    func filter(_ shape: Int, random: inout SeededGenerator) -> String {
        func pick(_ values: [PublicKey]) -> PublicKey { values[Int(random.next() % UInt64(values.count))] }
        switch shape {
        case 0: return Filter(authors: [pick(pubkeys)], kinds: [.followList]).jsonString
        case 1:
            return Filter(authors: (0..<50).map { _ in pick(pubkeys) }, kinds: [.metadata, .followList, .relayList])
                .jsonString
        default:
            return Filter(kinds: [.followList], tags: [TagCondition("p", [pick(popular).hex])], limit: 500).jsonString
        }
    }
}

/// A closed loop of REQs: every connection sends the next one as soon as the last one's EOSE is in.
struct RequestLoad {
    let mix: RequestMix
    let connections: [RelayConnection]
    let seed: UInt64

    /// One timed request.
    struct Sample: Sendable {
        var shape: Int
        var milliseconds: Double
        var events: Int
        var failure: String?
    }

    /// Runs until `done` says so (asked after each request); `phase` varies the draws.
    func run(phase: UInt64, until done: @escaping @Sendable () -> Bool) async -> LoadResult {
        let clock = ContinuousClock()
        let start = clock.now
        let mix = mix
        let seed = seed
        let samples = await withTaskGroup(of: [Sample].self) { group in
            for (index, connection) in connections.enumerated() {
                group.addTask {
                    var random = SeededGenerator(seed: seed ^ phase << 40 ^ UInt64(index) << 20 ^ 0xA11A)
                    var samples: [Sample] = []
                    var request = 0
                    repeat {
                        let shape = (index + request) % RequestMix.shapes.count
                        let filter = mix.filter(shape, random: &random)
                        samples.append(await Self.request(filter, shape: shape, id: "a\(request)", on: connection))
                        request += 1
                    } while !done() && !connection.isClosed
                    return samples
                }
            }
            var all: [Sample] = []
            for await part in group { all += part }
            return all
        }
        return LoadResult(samples: samples, seconds: seconds(clock.now - start))
    }

    /// Sends one REQ, counts its events up to EOSE, then CLOSEs it.
    private static func request(
        _ filter: String, shape: Int, id: String, on connection: RelayConnection
    ) async
        -> Sample
    {
        let start = ContinuousClock.now
        var sample = Sample(shape: shape, milliseconds: 0, events: 0)
        do {
            try await connection.send(#"["REQ",""# + id + #"","# + filter + "]")
            while let reply = await connection.next() {
                guard reply.string(1) == id else { continue }
                switch reply.type {
                case "EVENT": sample.events += 1
                case "EOSE":
                    sample.milliseconds = seconds(reply.at - start) * 1000
                    try await connection.send(#"["CLOSE",""# + id + #""]"#)
                    return sample
                case "CLOSED":
                    sample.failure = reply.string(2) ?? reply.text
                    return sample
                default: continue
                }
            }
            sample.failure = connection.isClosed ? "connection closed" : "no EOSE (timed out)"
        } catch {
            sample.failure = "\(error)"
        }
        return sample
    }
}

/// The samples of one load phase.
struct LoadResult: Sendable {
    let samples: [RequestLoad.Sample]
    let seconds: Double

    /// Latencies of the requests that got their EOSE.
    var latencies: Percentiles { Percentiles(samples.filter { $0.failure == nil }.map(\.milliseconds)) }

    func report() {
        print(
            "  \(samples.count) REQs in \(String(format: "%.1f", seconds)) s"
                + " = \(Int(Double(samples.count) / max(seconds, 1e-9))) REQs/s")
        print("  shape                               count   p50 ms   p99 ms   max ms   mean events   failed")
        for (shape, name) in RequestMix.shapes.enumerated() {
            line(name, samples.filter { $0.shape == shape })
        }
        line("overall", samples)
        var failures: [String: Int] = [:]
        for sample in samples { if let failure = sample.failure { failures[failure, default: 0] += 1 } }
        for (failure, count) in failures.sorted(by: { $0.value > $1.value }) {
            print("      \(pad(count, 7)) failed: \(failure)")
        }
    }

    private func line(_ name: String, _ samples: [RequestLoad.Sample]) {
        let good = samples.filter { $0.failure == nil }
        let meanEvents = Double(good.reduce(0) { $0 + $1.events }) / Double(max(1, good.count))
        print(
            "  \(name.padding(toLength: 34, withPad: " ", startingAt: 0)) \(pad(samples.count, 6))"
                + " \(Percentiles(good.map(\.milliseconds)).formatted) \(String(format: "%13.1f", meanEvents))"
                + " \(pad(samples.count - good.count, 8))")
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

// MARK: - Processes

/// The children to stop if the benchmark is interrupted (SIGINT, SIGTERM).
enum ChildProcesses {
    /// The running children, and whether a signal came (then children started later stop at once).
    static let state = Mutex<(running: Set<Int32>, interrupted: Bool)>(([], false))
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    /// On SIGINT or SIGTERM: SIGTERM to every running child, wait up to 10 s for them, remove
    /// `directory` and exit.
    static func stopOnSignals(removing directory: String) {
        sources = [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                let pids = state.withLock { state in
                    state.interrupted = true
                    return state.running
                }
                for pid in pids { kill(pid, SIGTERM) }
                for _ in 0..<200 where pids.contains(where: { kill($0, 0) == 0 }) { usleep(50_000) }
                try? FileManager.default.removeItem(atPath: directory)
                print("purplepages-bench: interrupted; stopped \(pids.count) child process(es)")
                exit(128 + signalNumber)
            }
            source.resume()
            return source
        }
    }

    /// Records a child; false if the benchmark is being interrupted (the caller stops it).
    static func register(_ pid: Int32) -> Bool {
        state.withLock { state in
            state.running.insert(pid)
            return !state.interrupted
        }
    }

    static func unregister(_ pid: Int32) {
        state.withLock { _ = $0.running.remove(pid) }
    }
}

/// A process the benchmark started, its output written to a log file or echoed line by line.
final class ChildProcess: @unchecked Sendable {
    let pid: Int32
    private let process: Process
    private let exitState: ExitState
    private let output: OutputLines?

    /// Starts `executable`; with `log`, its output goes there, otherwise each line is printed after `echoPrefix`.
    init(executable: String, arguments: [String], log: String? = nil, echoPrefix: String = "") throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        var pipe: Pipe?
        if let log {
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = handle
            process.standardError = handle
        } else {
            pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
        }
        let exit = ExitState()
        process.terminationHandler = { _ in exit.set() }
        try process.run()
        self.process = process
        exitState = exit
        pid = process.processIdentifier
        output = pipe.map { OutputLines(reading: $0.fileHandleForReading, prefix: echoPrefix) }
        if !ChildProcesses.register(pid) { kill(pid, SIGTERM) }
    }

    var hasExited: Bool { exitState.exitedAt != nil }

    /// Waits for the exit; returns the seconds since the start.
    func waitForExit() -> Double {
        exitState.wait()
        return exitState.secondsRunning
    }

    /// Whether it exited with status 0.
    var exitedNormally: Bool {
        hasExited && process.terminationReason == .exit && process.terminationStatus == 0
    }

    var exitDescription: String {
        guard hasExited else { return "running" }
        return process.terminationReason == .exit
            ? "exit status \(process.terminationStatus)" : "killed by signal \(process.terminationStatus)"
    }

    /// Every line of output so far (echoed processes only).
    var lines: [String] { output?.lines ?? [] }

    /// Waits (at most 5 s) until the output has been read to its end.
    func waitForOutput() { output?.waitForEnd() }

    /// SIGTERM, then SIGKILL if it has not exited within 10 s.
    func stop() {
        if !hasExited {
            kill(pid, SIGTERM)
            for _ in 0..<200 where !hasExited { usleep(50_000) }
            if !hasExited { kill(pid, SIGKILL) }
            process.waitUntilExit()
        }
        ChildProcesses.unregister(pid)
    }
}

/// When a child process exited.
final class ExitState: Sendable {
    private let started = ContinuousClock.now
    private let exited = Mutex<ContinuousClock.Instant?>(nil)
    private let signal = DispatchSemaphore(value: 0)

    func set() {
        exited.withLock { $0 = .now }
        signal.signal()
    }

    var exitedAt: ContinuousClock.Instant? { exited.withLock { $0 } }

    func wait() {
        signal.wait()
        signal.signal()
    }

    var secondsRunning: Double { seconds((exitedAt ?? .now) - started) }
}

/// Reads a pipe on a thread of its own, printing and keeping each line.
final class OutputLines: Sendable {
    private let kept = Mutex<[String]>([])
    private let ended = DispatchSemaphore(value: 0)

    init(reading handle: FileHandle, prefix: String) {
        Thread.detachNewThread { [self] in
            var buffer = Data()
            func emit(_ bytes: Data) {
                let line = String(decoding: bytes, as: UTF8.self)
                print(prefix + line)
                fflush(nil)
                self.kept.withLock { $0.append(line) }
            }
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    emit(buffer[buffer.startIndex..<newline])
                    buffer = buffer[buffer.index(after: newline)...]
                }
            }
            if !buffer.isEmpty { emit(buffer) }
            self.ended.signal()
        }
    }

    var lines: [String] { kept.withLock { $0 } }

    func waitForEnd() { _ = ended.wait(timeout: .now() + 5) }
}

/// Samples a process's memory from /proc/PID/status every 100 ms, on a thread of its own.
final class MemoryMonitor: Sendable {
    /// The largest values seen, in KiB.
    struct Peaks: Sendable {
        var highWaterKiB = 0
        var residentKiB = 0
        var anonymousKiB = 0
        var fileKiB = 0
        var samples = 0
    }

    private let peaks = Mutex(Peaks())
    private let stopping = Mutex(false)
    private let stopped = DispatchSemaphore(value: 0)

    init(pid: Int32) {
        Thread.detachNewThread { [self] in
            while !self.stopping.withLock({ $0 }) {
                if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) {
                    let fields = MemoryMonitor.fields(status)
                    // A process that has exited (a zombie) has no memory fields left.
                    if let highWater = fields["VmHWM"] {
                        self.peaks.withLock { peaks in
                            peaks.samples += 1
                            peaks.highWaterKiB = max(peaks.highWaterKiB, highWater)
                            peaks.residentKiB = max(peaks.residentKiB, fields["VmRSS"] ?? 0)
                            peaks.anonymousKiB = max(peaks.anonymousKiB, fields["RssAnon"] ?? 0)
                            peaks.fileKiB = max(peaks.fileKiB, fields["RssFile"] ?? 0)
                        }
                    }
                }
                usleep(100_000)
            }
            self.stopped.signal()
        }
    }

    /// Stops sampling; the peaks seen.
    func stop() -> Peaks {
        stopping.withLock { $0 = true }
        stopped.wait()
        return peaks.withLock { $0 }
    }

    /// The `Name:   123 kB` fields of a /proc status file, in KiB.
    static func fields(_ status: String) -> [String: Int] {
        var fields: [String: Int] = [:]
        for line in status.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let words = line[line.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\t" })
            if words.count == 2, words[1] == "kB", let value = Int(words[0]) { fields[String(line[..<colon])] = value }
        }
        return fields
    }
}
