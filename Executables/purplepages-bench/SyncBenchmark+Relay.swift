import Foundation
import LMDBStore
import Logging
import NostrClient
import PurplePagesConfiguration
import RelayServer
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The relay serving the working copy of store A: a `purplepages` process, or a `Relay` in this
/// process on an ephemeral port of 127.0.0.1.
final class SyncRemoteRelay: Sendable {
    /// `ws://127.0.0.1:PORT`.
    let url: String
    /// The relay process; nil when the relay runs in this process.
    let process: ChildProcess?
    private let server: Task<Void, any Error>?
    private let store: EventStore?

    private init(url: String, process: ChildProcess?, server: Task<Void, any Error>?, store: EventStore?) {
        self.url = url
        self.process = process
        self.server = server
        self.store = store
    }

    /// The limits that let one client sync a whole store of `events` (plus the other side's own):
    /// no rate limits or daily budget, negentropy sessions (and so the store's scans) large enough;
    /// and the relay's negentropy frame size limit, with messages large enough for the client's.
    static func limits(events: Int, frameSizeLimit: Int) -> [String: Int] {
        // 0 turns each of the first four off.
        [
            "event_rate": 0, "req_rate": 0, "connection_rate": 0, "events_per_day_limit": 0,
            "negentropy_max_items": max(2_000_000, 4 * events), "negentropy_frame_size_limit": frameSizeLimit,
            // A client's NEG-MSG is its frame in hex: the relay must accept it (the default, 512,000
            // bytes, fits frames up to about 255,000 bytes).
            "max_message_bytes": max(512_000, 2 * frameSizeLimit + 4096),
        ]
    }

    /// Starts `executable` (`purplepages`) on `storePath` with `limits`, its configuration and log
    /// in `directory`, and waits until it listens.
    static func startProcess(
        executable: String, storePath: String, events: Int, frameSizeLimit: Int, directory: String
    ) async throws -> SyncRemoteRelay {
        let configuration = directory + "/relay.json"
        let log = directory + "/relay.log"
        let object: [String: Any] = [
            "server": ["host": "127.0.0.1", "port": 0],
            "storage": ["path": storePath, "map_size_gb": 64, "analytics_db_url": ""],
            "limits": limits(events: events, frameSizeLimit: frameSizeLimit),
        ]
        let (process, port) = try await RelayProcessLauncher.launch(
            executable: executable, configuration: configuration, object: object, log: log, storePath: storePath)
        return SyncRemoteRelay(url: "ws://127.0.0.1:\(port)", process: process, server: nil, store: nil)
    }

    /// Starts a relay in this process over the store at `storePath`.
    static func startInProcess(storePath: String, events: Int, frameSizeLimit: Int) async throws -> SyncRemoteRelay {
        var configuration = RelayConfiguration()
        configuration.server.host = "127.0.0.1"
        configuration.server.port = 0
        configuration.storage.path = storePath
        configuration.storage.mapSizeGB = 64
        let limits = limits(events: events, frameSizeLimit: frameSizeLimit)
        configuration.limits.eventRate = 0
        configuration.limits.reqRate = 0
        configuration.limits.connectionRate = 0
        configuration.limits.eventsPerDayLimit = 0
        configuration.limits.negentropyMaxItems = limits["negentropy_max_items"] ?? 2_000_000
        configuration.limits.negentropyFrameSizeLimit = frameSizeLimit
        configuration.limits.maxMessageBytes = limits["max_message_bytes"] ?? configuration.limits.maxMessageBytes
        let store = try EventStore(configuration: configuration.eventStore())
        var logger = Logger(label: "purplepages-bench.relay")
        logger.logLevel = .critical
        let relay = try Relay(configuration: configuration, store: store, logger: logger)
        let port = Mutex<Int?>(nil)
        let application = RelayApplication.make(relay: relay, port: 0) { bound in port.withLock { $0 = bound } }
        let server = Task { try await application.runService(gracefulShutdownSignals: []) }
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let bound = port.withLock({ $0 }) {
                print("relay: in this process, port \(bound), store \(storePath)")
                return SyncRemoteRelay(url: "ws://127.0.0.1:\(bound)", process: nil, server: server, store: store)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        server.cancel()
        _ = await server.result
        store.close()
        throw RelayBenchmarkError(description: "the in-process relay did not listen within 10 s")
    }

    /// Write transactions the relay's store committed so far, the events in them and their time
    /// (its `/metrics`: `purplepages_writer_batch_events` count and sum,
    /// `purplepages_writer_commit_seconds` sum); nil when unreadable.
    func commits() async -> StoreCommits? {
        guard let url = URL(string: url.replacingOccurrences(of: "ws://", with: "http://") + "/metrics"),
            let (data, _) = try? await URLSession.shared.data(from: url)
        else { return nil }
        var commits = StoreCommits()
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let words = line.split(separator: " ")
            guard words.count == 2, let value = Double(words[1]) else { continue }
            if words[0] == "purplepages_writer_batch_events_count" { commits.transactions = Int(value) }
            if words[0] == "purplepages_writer_batch_events_sum" { commits.events = Int(value) }
            if words[0] == "purplepages_writer_commit_seconds_sum" { commits.seconds = value }
        }
        return commits
    }

    /// The relay's CPU time so far (user and system), in seconds; nil when it runs in this process.
    var cpuSeconds: Double? { process.flatMap { ProcessCPU.seconds(pid: $0.pid) } }

    /// Stops the relay (SIGTERM, or cancelling the server) and closes its store.
    func stop() async {
        if let process {
            process.stop()
        }
        if let server {
            server.cancel()
            _ = await server.result
        }
        store?.close()
    }
}

/// Write transactions of a store, the events they held and the time they took.
struct StoreCommits: Sendable {
    var transactions = 0
    var events = 0
    var seconds = 0.0

    /// `self` minus `earlier`.
    func since(_ earlier: StoreCommits) -> StoreCommits {
        StoreCommits(
            transactions: transactions - earlier.transactions, events: events - earlier.events,
            seconds: seconds - earlier.seconds)
    }

    /// `81 (10000 events, 25.1 s)`.
    var description: String { "\(transactions) (\(events) events, \(String(format: "%.2f", seconds)) s)" }
}

/// Counts the write transactions of a store (install `observe` as its `onCommit`).
final class CommitCounter: Sendable {
    private let counts = Mutex(StoreCommits())

    /// Records one transaction of `events` events.
    func observe(_ events: Int, _ duration: Duration) {
        counts.withLock {
            $0.transactions += 1
            $0.events += events
            $0.seconds += seconds(duration)
        }
    }

    /// The transactions so far.
    var commits: StoreCommits { counts.withLock { $0 } }
}

/// CPU time and disk writes of a process.
enum ProcessCPU {
    /// Bytes `pid` (this process when nil) passed to write calls (`wchar` of `/proc/PID/io`): files
    /// and sockets alike; nil when unreadable. (`write_bytes`, the bytes dirtied, counts LMDB's
    /// rewritten pages several times over.)
    static func bytesWritten(pid: Int32?) -> Int? {
        let path = "/proc/\(pid.map(String.init) ?? "self")/io"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("wchar:") {
            return Int(line.dropFirst("wchar:".count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// User and system CPU seconds of `pid` (`/proc/PID/stat` fields 14 and 15); nil when unreadable.
    static func seconds(pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return nil }
        // After "pid (name) ", field 3 (state) is the first; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// This process's user and system CPU seconds (`getrusage`).
    static var ownSeconds: Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func value(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return value(usage.ru_utime) + value(usage.ru_stime)
    }
}
