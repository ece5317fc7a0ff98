import Foundation
import LMDBStore
import NostrCore
import NostrCoreTesting

/// How the crawl benchmark's corpus is spread over its remote relays: `events` distinct events of
/// one corpus of `seed`, event i on relay i mod `relays`, and `overlapPercent` of them drawn at
/// random to be on a second relay as well.
struct CrawlCorpusPlan: Codable, Equatable {
    /// Distinct events over all remotes.
    let events: Int
    /// Remote relays.
    let relays: Int
    /// Percent of the events held by two relays rather than one.
    let overlapPercent: Int
    /// The corpus seed.
    let seed: UInt64

    /// Pubkeys to generate the events from (about 3.33 events each, with a margin), as the sync
    /// benchmark does: the REQ mix regenerates the same keys from this count.
    var pubkeys: Int { events * 10 / 33 + 16 }

    /// The relays holding event `index`: its own, and a second one for `overlapPercent` of them.
    /// Drawn from the index alone, so that generation and a later check agree.
    func holders(of index: Int) -> [Int] {
        var random = SeededGenerator(seed: seed ^ 0xC0A1 ^ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
        let first = index % relays
        guard relays > 1, Int(random.next() % 100) < overlapPercent else { return [first] }
        return [first, (first + 1 + Int(random.next() % UInt64(relays - 1))) % relays]
    }
}

/// The remote relays' stores, generated once in one directory (`--keep`, `--reuse`).
struct CrawlRemoteSet: Sendable {
    /// Holds every store and the marker.
    let directory: String
    /// What the stores hold.
    let plan: CrawlCorpusPlan

    /// The store of remote `index`.
    func store(_ index: Int) -> String { directory + "/remote-\(index)" }
    private var marker: String { directory + "/crawl-remotes.json" }

    /// Store settings for generation: large write batches, scans as large as the whole corpus.
    func storeConfiguration(_ path: String, batch: Int) -> EventStoreConfiguration {
        EventStoreConfiguration(
            path: path, mapSizeGB: 64, maxBatchEvents: batch, maxScanEvents: max(2_000_000, 4 * plan.events))
    }

    /// Throws unless the directory holds a complete set of this plan.
    func checkReusable() throws {
        guard let data = FileManager.default.contents(atPath: marker),
            let stored = try? JSONDecoder().decode(CrawlCorpusPlan.self, from: data)
        else {
            throw RelayBenchmarkError(description: "\(directory) holds no complete set of remotes (no \(marker))")
        }
        guard stored == plan else {
            throw RelayBenchmarkError(
                description: "\(directory) holds remotes of \(stored.events) events on \(stored.relays) relays, "
                    + "\(stored.overlapPercent)% overlap, seed \(stored.seed); asked for \(plan.events), "
                    + "\(plan.relays), \(plan.overlapPercent)%, \(plan.seed)")
        }
    }

    /// Generates the corpus a batch at a time (signing on every core) and writes each batch into
    /// the stores of its holders; then compacts every store (a bulk load leaves about a third of
    /// the file free, and ten of them share the disk with the crawling relay's store). Returns
    /// how many events each remote holds.
    @discardableResult
    func generate(batch: Int) throws -> [Int] {
        try? FileManager.default.removeItem(atPath: marker)
        for index in 0..<plan.relays { try? FileManager.default.removeItem(atPath: store(index)) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let clock = ContinuousClock()
        let started = clock.now
        print("remotes: keys for \(plan.pubkeys) pubkeys ...")
        fflush(nil)
        var stream = CorpusStream(generator: CorpusGenerator(pubkeys: plan.pubkeys, seed: plan.seed), batch: batch)
        var counts = [Int](repeating: 0, count: plan.relays)
        var writing = Duration.zero
        do {
            let stores = try (0..<plan.relays).map {
                try EventStore(configuration: storeConfiguration(store($0), batch: batch))
            }
            defer { for store in stores { store.close() } }
            var generated = 0
            while generated < plan.events {
                let events = try stream.next(min(batch, plan.events - generated))
                var shares = [[Event]](repeating: [], count: plan.relays)
                for (offset, event) in events.enumerated() {
                    for holder in plan.holders(of: generated + offset) { shares[holder].append(event) }
                }
                let writeStarted = clock.now
                for (index, share) in shares.enumerated() where !share.isEmpty {
                    _ = try stores[index].saveAndWait(share)
                    counts[index] += share.count
                }
                writing += clock.now - writeStarted
                generated += events.count
                if generated % 200_000 < events.count || generated == plan.events {
                    print("  \(generated) of \(plan.events) events")
                    fflush(nil)
                }
            }
        }
        print(
            "remotes: \(plan.events) events (\(counts.reduce(0, +)) copies) generated and stored in "
                + "\(format(clock.now - started)) (writing \(format(writing)), generating and signing "
                + "\(format(stream.generating)) on \(ProcessInfo.processInfo.activeProcessorCount) cores)")
        let compactStarted = clock.now
        var before = 0
        var after = 0
        for index in 0..<plan.relays {
            let path = store(index)
            before += PageCache.fileBytes(path + "/data.mdb")
            do {
                let store = try EventStore(
                    configuration: EventStoreConfiguration(path: path, mapSizeGB: 64, readOnly: true))
                defer { store.close() }
                try store.writeCompactedCopy(to: path + ".compacted")
            }
            try FileManager.default.removeItem(atPath: path)
            try FileManager.default.moveItem(atPath: path + ".compacted", toPath: path)
            after += PageCache.fileBytes(path + "/data.mdb")
        }
        print(
            "remotes: compacted in \(format(clock.now - compactStarted)), \(before / 1_000_000) MB to "
                + "\(after / 1_000_000) MB; events per remote \(counts.map(String.init).joined(separator: ", "))")
        fflush(nil)
        try JSONEncoder().encode(plan).write(to: URL(fileURLWithPath: marker))
        return counts
    }

    /// Starts a relay in this process over every remote store, on ephemeral ports of 127.0.0.1.
    /// (In this process rather than ten processes: the machine's cores are shared either way, and
    /// the crawling relay, the one measured, is a process of its own.)
    func startRelays() async throws -> [SyncRemoteRelay] {
        var relays: [SyncRemoteRelay] = []
        do {
            for index in 0..<plan.relays {
                relays.append(
                    try await SyncRemoteRelay.startInProcess(
                        storePath: store(index), events: plan.events, frameSizeLimit: 60_000))
            }
        } catch {
            for relay in relays { await relay.stop() }
            throw error
        }
        return relays
    }
}
