import ArgumentParser
import CommandLineSupport
import Foundation
import LMDBStore
import NostrCore

/// `purplepages-bench crawl`: the relay's crawler filling an empty store from ten local relays
/// that hold together N events with 30% overlap, against the same relay's own WebSocket ingest
/// of the same corpus; and client REQ latency on the relay during the crawl against idle.
struct CrawlBenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crawl",
        abstract: "Crawl of --relays local relays holding --events events: events stored/s, RSS, REQ p99 vs idle.",
        discussion: """
            Generates N signed events (CorpusGenerator, about 3.3 per pubkey) and stores event i on remote \
            i mod R, and --overlap % of them (drawn at random) on a second remote too. Generating 1M events \
            takes several minutes: --path DIR --keep keeps the remotes, --reuse uses them again. The remotes \
            are relays in this process; the relay measured is `purplepages` from the directory of this \
            executable, on an empty store, with `sync.relays` set to the remotes (backfill by negentropy, then \
            live), discovery and outbox off. The crawl has converged when the crawler has counted N events \
            stored. Meanwhile --req-clients connections each send a REQ every --req-interval-ms (profiles \
            by 1 and 50 authors, a follower lookup, 20 ids); the same loop then runs --idle-seconds on the \
            converged relay. Last, a fresh relay takes the same N events over WebSockets (--publishers, \
            --window, as `purplepages-bench relay` ingest does): the rate the crawl is compared with.
            """)

    @Option(help: "Distinct events over all remote relays.")
    var events = 1_000_000

    @Option(help: "Remote relays (the crawler's seeds).")
    var relays = 10

    @Option(help: "Percent of the events held by two remotes rather than one.")
    var overlap = 30

    @Option(help: "Corpus seed.")
    var seed: UInt64 = 1

    @Option(help: "Events generated and written per batch.")
    var batch = 50_000

    @Option(help: "Directory for the remotes and the relays' stores (default: a temporary one).")
    var path: String?

    @Flag(help: "Keep the generated remotes in --path for later --reuse.")
    var keep = false

    @Flag(help: "Use the remotes already in --path (made with the same --events, --relays, --overlap and --seed).")
    var reuse = false

    @Option(help: "The relay's sync.max_connections (one more than --relays lets every seed be followed live).")
    var maxConnections: Int?

    @Option(help: "The relay's sync.ingest_batch (default: the relay's).")
    var ingestBatch: Int?

    @Option(help: "The relay's sync.page_size (default: the relay's).")
    var pageSize: Int?

    @Option(help: "Seconds without progress after which the crawl counts as stalled.")
    var stall = 60

    @Option(help: "Connections of the REQ latency loop.")
    var reqClients = 4

    @Option(help: "Milliseconds between two REQs of one connection of the latency loop.")
    var reqIntervalMs = 50

    @Option(help: "Seconds the latency loop runs on the converged (idle) relay.")
    var idleSeconds = 30

    @Flag(inversion: .prefixedNo, help: "Measure the relay's WebSocket ingest of the same corpus afterwards.")
    var ingest = true

    @Option(help: "Publishing connections of the WebSocket ingest run.")
    var publishers = 50

    @Option(help: "EVENTs per publisher awaiting their OK.")
    var window = 100

    @Option(help: "Seconds any single wait for a relay may last.")
    var timeout = 30.0

    func validate() throws {
        guard events >= 100 else { throw ValidationError("--events must be at least 100") }
        guard (1...100).contains(relays) else { throw ValidationError("--relays must be in 1...100") }
        guard (0...100).contains(overlap) else { throw ValidationError("--overlap must be in 0...100") }
        guard !reuse || path != nil else { throw ValidationError("--reuse needs --path") }
        guard reqClients >= 1 && reqIntervalMs >= 1 && idleSeconds >= 1 && stall >= 1 else {
            throw ValidationError("--req-clients, --req-interval-ms, --idle-seconds and --stall must be positive")
        }
        guard publishers >= 1 && window >= 1 && batch >= 1 else {
            throw ValidationError("--publishers, --window and --batch must be positive")
        }
    }

    /// The kinds the corpus holds (profiles, follow lists, relay lists, NIP-51 lists): the crawl's `sync.kinds`.
    static let corpusKinds = [0, 3, 10000, 10002, 30000]

    func run() throws {
        let plan = CrawlCorpusPlan(events: events, relays: relays, overlapPercent: overlap, seed: seed)
        let directory = path ?? NSTemporaryDirectory() + "purplepages-bench-crawl-\(UUID().uuidString)"
        let remotes = CrawlRemoteSet(directory: directory, plan: plan)
        let work = directory + "/work"
        let keepRemotes = keep || reuse
        defer {
            try? FileManager.default.removeItem(atPath: work)
            if !keepRemotes { try? FileManager.default.removeItem(atPath: directory) }
        }
        ChildProcesses.stopOnSignals(removing: keepRemotes ? work : directory)
        print(
            "crawl benchmark: \(events) distinct events on \(relays) remote relays, \(overlap)% on two; seed "
                + "\(seed); REQ loop \(reqClients) connections every \(reqIntervalMs) ms")
        if reuse {
            try remotes.checkReusable()
            print("remotes: reusing \(directory)")
        } else {
            try remotes.generate(batch: batch)
        }
        let executable = try siblingRelayExecutable()
        let command = self
        let result = try runBlocking {
            try await command.measure(remotes: remotes, executable: executable, work: work)
        }
        result.print(goals: true)
    }

    /// The crawl, the latency loop during it and idle after it, and the WebSocket ingest run.
    private func measure(remotes: CrawlRemoteSet, executable: String, work: String) async throws -> CrawlResult {
        let plan = remotes.plan
        var result = CrawlResult(plan: plan)
        let corpus = Corpus.sampled(pubkeys: plan.pubkeys, seed: plan.seed)
        // A serving relay has its store in memory: read the remotes once, as the sync benchmark does.
        let warmStarted = ContinuousClock.now
        for index in 0..<plan.relays { try PageCache.warm(remotes.store(index) + "/data.mdb") }
        print("page cache: remotes read in \(format(ContinuousClock.now - warmStarted))")
        let servers = try await remotes.startRelays()
        do {
            try await crawl(servers.map(\.url), into: &result, corpus: corpus, executable: executable, work: work)
        } catch {
            for server in servers { await server.stop() }
            throw error
        }
        for server in servers { await server.stop() }
        try verify(work + "/crawl/store", into: &result)
        // The crawled store is not needed any more; the ingest run needs the disk space.
        try? FileManager.default.removeItem(atPath: work + "/crawl")
        if ingest {
            try await ingestOverWebSockets(plan, into: &result, executable: executable, work: work)
        }
        return result
    }

    /// Starts the crawling relay and follows it to convergence (or a stall) under the latency
    /// loop, then runs the loop on it idle.
    private func crawl(
        _ urls: [String], into result: inout CrawlResult, corpus: Corpus, executable: String, work: String
    ) async throws {
        let plan = result.plan
        let sync = CrawlingRelay.Sync(
            seeds: urls, kinds: Self.corpusKinds, maxConnections: maxConnections ?? plan.relays + 2,
            ingestBatch: ingestBatch, pageSize: pageSize)
        let relay = try await CrawlingRelay.start(
            executable: executable, storePath: work + "/crawl/store", directory: work + "/crawl", events: plan.events,
            sync: sync)
        defer { relay.stop() }
        let memory = MemoryMonitor(pid: relay.process.pid)
        let cpuBefore = relay.cpuSeconds ?? 0
        let ownCPUBefore = ProcessCPU.ownSeconds
        let session = RelaySession(url: relay.url, timeout: .milliseconds(Int(timeout * 1000)))
        let interval = Duration.milliseconds(reqIntervalMs)
        let loop = RequestLoop(session: session, corpus: corpus, clients: reqClients, interval: interval, seed: seed)

        var progress = CrawlProgress()
        var lastChange = ContinuousClock.now
        var lastPrint = ContinuousClock.now
        var halfway: ContinuousClock.Instant?
        while true {
            try await Task.sleep(for: .milliseconds(250))
            if relay.process.hasExited { throw RelayBenchmarkError(description: "the relay exited during the crawl") }
            guard let samples = await relay.metrics() else { continue }
            let now = CrawlProgress(samples)
            if now.written != progress.written || now.crawlerStored != progress.crawlerStored {
                lastChange = .now
            }
            progress = now
            if halfway == nil && progress.written >= plan.events / 2 { halfway = .now }
            if progress.crawlerStored >= plan.events { break }
            if ContinuousClock.now - lastChange > .seconds(stall) {
                print("crawl: STALLED, no progress for \(stall) s")
                result.stalled = true
                break
            }
            if ContinuousClock.now - lastPrint >= .seconds(10) {
                lastPrint = .now
                print("  \(String(format: "%6.1f", seconds(.now - relay.started))) s: \(progress.line)")
                fflush(nil)
            }
        }
        let converged = ContinuousClock.now
        result.wall = converged - relay.started
        result.progress = progress
        result.relayCPU = (relay.cpuSeconds ?? 0) - cpuBefore
        result.benchCPU = ProcessCPU.ownSeconds - ownCPUBefore
        let crawlPeaks = memory.stop()
        result.peakResidentKiB = crawlPeaks.highWaterKiB
        result.peakAnonymousKiB = crawlPeaks.anonymousKiB
        result.duringCrawl = LatencySummary(await loop.stop().filter { $0.at < converged })
        print("crawl: \(format(result.wall)): \(progress.line)")
        if let during = result.duringCrawl { print("  REQ during the crawl: \(during.line)") }
        if let halfway { print("  half the events written after \(format(halfway - relay.started))") }
        print("idle: the latency loop for \(idleSeconds) s on the converged relay ...")
        fflush(nil)
        let idleLoop = RequestLoop(
            session: session, corpus: corpus, clients: reqClients, interval: interval, seed: seed ^ 0x1D1E)
        try await Task.sleep(for: .seconds(idleSeconds))
        result.idle = LatencySummary(await idleLoop.stop())
        if let idle = result.idle { print("  REQ idle: \(idle.line)") }
        fflush(nil)
        if let samples = await relay.metrics() { result.progress = CrawlProgress(samples) }
    }

    /// Counts the events in the crawled store (the relay stopped) against the corpus.
    private func verify(_ storePath: String, into result: inout CrawlResult) throws {
        let started = ContinuousClock.now
        let store = try EventStore(
            configuration: EventStoreConfiguration(
                path: storePath, mapSizeGB: 64, readOnly: true, maxScanEvents: max(2_000_000, 4 * result.plan.events)))
        defer { store.close() }
        result.storedInStore = try store.negentropyItems(Filter(), limit: 4 * result.plan.events).count
        result.storeBytes = PageCache.fileBytes(storePath + "/data.mdb")
        print(
            "crawled store: \(result.storedInStore) events (expected \(result.plan.events)), "
                + "\(result.storeBytes / 1_000_000) MB; counted in \(format(ContinuousClock.now - started))")
        fflush(nil)
    }

    /// A fresh relay takes the corpus over WebSockets.
    private func ingestOverWebSockets(
        _ plan: CrawlCorpusPlan, into result: inout CrawlResult, executable: String, work: String
    ) async throws {
        print("WebSocket ingest: \(plan.events) events over \(publishers) connections, window \(window) ...")
        fflush(nil)
        let relay = try await CrawlingRelay.start(
            executable: executable, storePath: work + "/ingest/store", directory: work + "/ingest",
            events: plan.events, sync: nil)
        defer {
            relay.stop()
            try? FileManager.default.removeItem(atPath: work + "/ingest")
        }
        let memory = MemoryMonitor(pid: relay.process.pid)
        let session = RelaySession(url: relay.url, timeout: .milliseconds(Int(timeout * 1000)))
        let publisher = CorpusPublisher(session: session, publishers: publishers, window: window)
        let outcome = try await publisher.publish(plan, batch: batch)
        result.ingest = outcome
        result.ingestRate = publisher.rate(outcome)
        result.ingestPeakResidentKiB = memory.stop().highWaterKiB
        if let samples = await relay.metrics() {
            let writer = CrawlProgress(samples)
            print(
                "  its writer: \(writer.commits) commits (\(writer.written / max(1, writer.commits)) events, "
                    + "\(String(format: "%.1f", 1000 * writer.commitSeconds / Double(max(1, writer.commits)))) ms each)"
            )
        }
        print(
            "WebSocket ingest: \(outcome.accepted) OK true (\(outcome.duplicates) duplicates), \(outcome.rejected) "
                + "OK false\(outcome.rejection.map { " (e.g. \"\($0)\")" } ?? ""), \(outcome.unanswered) unanswered, "
                + "in \(format(outcome.elapsed)) of publishing")
        fflush(nil)
    }
}
