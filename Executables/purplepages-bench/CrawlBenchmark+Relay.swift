import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The relay under test: a `purplepages` process over a fresh store, crawling the remotes as its
/// seed relays (`sync.*`), or not crawling at all (the WebSocket ingest run).
struct CrawlingRelay: Sendable {
    /// `ws://127.0.0.1:PORT`.
    let url: String
    let process: ChildProcess
    /// When it logged that it listens: the crawler starts with it.
    let started: ContinuousClock.Instant

    /// The crawler settings the benchmark gives the relay.
    struct Sync: Sendable {
        var seeds: [String]
        var kinds: [Int]
        var maxConnections: Int
        var ingestBatch: Int?
        var pageSize: Int?
    }

    /// Writes a configuration into `directory` and starts `executable` on the store at
    /// `storePath`: no rate limits or daily budget, no analytics, and with `sync` the crawler on
    /// (loopback allowed, no discovery: the corpus's kind 10002 lists name public relays, and the
    /// benchmark measures the seeds only; no outbox passes).
    static func start(
        executable: String, storePath: String, directory: String, events: Int, sync: Sync?
    ) async throws -> CrawlingRelay {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let configuration = directory + "/relay.json"
        let log = directory + "/relay.log"
        var object: [String: Any] = [
            "server": ["host": "127.0.0.1", "port": 0],
            "storage": ["path": storePath, "map_size_gb": 64, "analytics_db_url": ""],
            "limits": SyncRemoteRelay.limits(events: events, frameSizeLimit: 60_000),
        ]
        if let sync {
            var section: [String: Any] = [
                "enabled": true, "relays": sync.seeds, "allow_private_addresses": true,
                "max_connections": sync.maxConnections, "kinds": sync.kinds, "discover_relays": false,
                "state_path": directory + "/crawler.lmdb",
            ]
            if let batch = sync.ingestBatch { section["ingest_batch"] = batch }
            if let size = sync.pageSize { section["page_size"] = size }
            object["sync"] = section
            object["trusted_sync"] = ["disabled": true]
        }
        let (process, port) = try await RelayProcessLauncher.launch(
            executable: executable, configuration: configuration, object: object, log: log, storePath: storePath)
        return CrawlingRelay(url: "ws://127.0.0.1:\(port)", process: process, started: .now)
    }

    /// Stops the relay (SIGTERM, waiting for it).
    func stop() { process.stop() }

    /// The relay's `/metrics` samples without labels, by name; nil when unreadable.
    func metrics() async -> [String: Double]? {
        guard let url = URL(string: url.replacingOccurrences(of: "ws://", with: "http://") + "/metrics"),
            let (data, _) = try? await URLSession.shared.data(from: url)
        else { return nil }
        var samples: [String: Double] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
            let words = line.split(separator: " ")
            guard words.count == 2, let value = Double(words[1]) else { continue }
            samples[String(words[0])] = value
        }
        return samples
    }

    /// The relay's CPU seconds so far.
    var cpuSeconds: Double? { ProcessCPU.seconds(pid: process.pid) }
}

/// The crawler's progress as the relay's `/metrics` shows it.
struct CrawlProgress: Sendable {
    /// `purplepages_crawler_events_stored_total`: counted when a visit (a seed's whole backfill)
    /// ends, and as live subscriptions store.
    var crawlerStored = 0
    /// `purplepages_writer_batch_events_sum`: events the store's writer took, as they arrive.
    var written = 0
    /// `purplepages_crawler_visits_total`.
    var visits = 0
    /// `purplepages_crawler_visit_failures_total`.
    var failures = 0
    /// `purplepages_crawler_live_connections_count`: seeds whose backfill ended and are followed live.
    var live = 0
    /// `purplepages_crawler_events_refused_total`.
    var refused = 0
    /// `purplepages_crawler_events_received_total`.
    var received = 0
    /// `purplepages_writer_batch_events_count` and `purplepages_writer_commit_seconds_sum`: the
    /// write transactions and their time (the crawler has one batch in the writer's queue at a time).
    var commits = 0
    var commitSeconds = 0.0

    init() {}

    init(_ samples: [String: Double]) {
        func value(_ name: String) -> Int { Int(samples["purplepages_" + name] ?? 0) }
        crawlerStored = value("crawler_events_stored_total")
        written = value("writer_batch_events_sum")
        visits = value("crawler_visits_total")
        failures = value("crawler_visit_failures_total")
        live = value("crawler_live_connections_count")
        refused = value("crawler_events_refused_total")
        received = value("crawler_events_received_total")
        commits = value("writer_batch_events_count")
        commitSeconds = samples["purplepages_writer_commit_seconds_sum"] ?? 0
    }

    /// `412000 written, 6 of 10 seeds live, 6 visits (0 failed)`.
    var line: String {
        "\(written) written, \(crawlerStored) counted by the crawler, \(live) seeds live, \(visits) visits "
            + "(\(failures) failed), \(received) received, \(refused) refused; \(commits) commits "
            + "(\(written / Swift.max(1, commits)) events, \(String(format: "%.1f", 1000 * commitSeconds / Double(Swift.max(1, commits)))) ms each)"
    }
}

/// The path of `purplepages` next to this executable.
func siblingRelayExecutable() throws -> String {
    let executable =
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    let relay = URL(fileURLWithPath: executable).deletingLastPathComponent().path + "/purplepages"
    guard FileManager.default.isExecutableFile(atPath: relay) else {
        throw RelayBenchmarkError(
            description: "no relay executable at \(relay): swift build -c release --product purplepages")
    }
    return relay
}
