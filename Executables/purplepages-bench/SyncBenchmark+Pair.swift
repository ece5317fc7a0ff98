import Dispatch
import Foundation
import LMDBStore
import NostrCore
import NostrCoreTesting

/// How many events the sync benchmark's two stores hold: `events` each, `unique` of them only in
/// that store, the rest common, all drawn in order from one corpus of `seed`.
struct SyncCorpusPlan: Codable, Equatable {
    /// Events in each store.
    let events: Int
    /// Events only in A, and as many only in B.
    let unique: Int
    /// The corpus seed.
    let seed: UInt64

    /// The plan for stores of `events` differing by `difference` percent.
    init(events: Int, difference: Double, seed: UInt64) {
        self.events = events
        unique = Int((Double(events) * difference / 100).rounded())
        self.seed = seed
    }

    /// Events in both stores.
    var common: Int { events - unique }
    /// Events generated: the common ones, then A's own, then B's own.
    var total: Int { events + unique }
    /// Pubkeys to generate them from (about 3.33 events each, with a margin).
    var pubkeys: Int { total * 10 / 33 + 16 }
}

/// The generated pair ("remote" A and "local" B) in one directory, kept as generated, and the
/// working copies each run syncs.
struct SyncStorePair: Sendable {
    /// Holds everything below.
    let directory: String
    /// What the pair holds.
    let plan: SyncCorpusPlan

    var remote: String { directory + "/remote" }
    var local: String { directory + "/local" }
    /// The working copies, removed at the end.
    var workingDirectory: String { directory + "/work" }
    var workingRemote: String { workingDirectory + "/remote" }
    var workingLocal: String { workingDirectory + "/local" }
    private var marker: String { directory + "/sync-pair.json" }

    /// Store settings fit for the pair: room for both stores' events in every scan.
    func storeConfiguration(_ path: String, readOnly: Bool = false, batch: Int = 10_000) -> EventStoreConfiguration {
        EventStoreConfiguration(
            path: path, mapSizeGB: 64, readOnly: readOnly, maxBatchEvents: batch,
            maxScanEvents: max(1_000_000, 4 * plan.events))
    }

    /// Throws unless the directory holds a complete pair of this plan.
    func checkReusable() throws {
        guard let data = FileManager.default.contents(atPath: marker),
            let stored = try? JSONDecoder().decode(SyncCorpusPlan.self, from: data)
        else {
            throw RelayBenchmarkError(description: "\(directory) holds no complete pair (no \(marker))")
        }
        guard stored == plan else {
            throw RelayBenchmarkError(
                description: "\(directory) holds a pair of \(stored.events) events, \(stored.unique) unique, seed "
                    + "\(stored.seed); asked for \(plan.events), \(plan.unique), \(plan.seed)")
        }
    }

    /// Generates the pair: the common events into A, a compacted copy of A as B, then each side's
    /// own events; then replaces both by compacted copies (a bulk load leaves about a third of the
    /// file free), so that the two working copies fit in the page cache together. Prints how long
    /// generation (signing, on every core), writing and compacting took.
    func generate(batch: Int) throws {
        for path in [remote, local, marker, workingDirectory] { try? FileManager.default.removeItem(atPath: path) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let clock = ContinuousClock()
        let started = clock.now
        print("pair: keys for \(plan.pubkeys) pubkeys ...")
        var stream = CorpusStream(generator: CorpusGenerator(pubkeys: plan.pubkeys, seed: plan.seed), batch: batch)
        var writing = Duration.zero
        var copying = Duration.zero
        do {
            let storeA = try EventStore(configuration: storeConfiguration(remote, batch: batch))
            defer { storeA.close() }
            try fill(storeA, with: plan.common, from: &stream, writing: &writing, label: "common")
            let copyStarted = clock.now
            try storeA.writeCompactedCopy(to: local)
            copying = clock.now - copyStarted
            let storeB = try EventStore(configuration: storeConfiguration(local, batch: batch))
            defer { storeB.close() }
            try fill(storeA, with: plan.unique, from: &stream, writing: &writing, label: "A only")
            try fill(storeB, with: plan.unique, from: &stream, writing: &writing, label: "B only")
        }
        print(
            "pair: \(plan.total) events generated and stored in \(format(clock.now - started)) (writing "
                + "\(format(writing)), copying A to B \(format(copying)), generating and signing "
                + "\(format(stream.generating)) on \(ProcessInfo.processInfo.activeProcessorCount) cores)")
        fflush(nil)
        let compactStarted = clock.now
        for path in [remote, local] {
            let before = PageCache.fileBytes(path + "/data.mdb")
            // Read sequentially first: compacting walks the B-trees, which from disk would be random reads.
            try PageCache.warm(path + "/data.mdb")
            do {
                let store = try EventStore(configuration: storeConfiguration(path, readOnly: true))
                defer { store.close() }
                try store.writeCompactedCopy(to: path + ".compacted")
            }
            PageCache.drop(path + "/data.mdb")
            try FileManager.default.removeItem(atPath: path)
            try FileManager.default.moveItem(atPath: path + ".compacted", toPath: path)
            print(
                "  \(path): \(before / 1_000_000) MB, compacted \(PageCache.fileBytes(path + "/data.mdb") / 1_000_000) MB"
            )
        }
        print("pair: compacted in \(format(clock.now - compactStarted))")
        fflush(nil)
        try JSONEncoder().encode(plan).write(to: URL(fileURLWithPath: marker))
    }

    /// Writes the next `count` events of `stream` into `store`.
    private func fill(
        _ store: EventStore, with count: Int, from stream: inout CorpusStream, writing: inout Duration, label: String
    ) throws {
        var written = 0
        while written < count {
            let events = try stream.next(min(stream.batch, count - written))
            let started = ContinuousClock.now
            _ = try store.saveAndWait(events)
            writing += ContinuousClock.now - started
            written += events.count
            if written % 200_000 < events.count || written == count {
                print("  \(label): \(written) of \(count)")
                fflush(nil)
            }
        }
    }

    /// Fresh working copies of A (`remote`) and/or B (`local`): their `data.mdb` files copied as
    /// they are. A file copy reads sequentially; a compacting copy walks the B-trees, and on a
    /// store larger than the page cache leaves it waiting for random reads (3 MB/s here against
    /// 1 GB/s).
    func makeWorkingCopies(remote copyRemote: Bool, local copyLocal: Bool) throws {
        let started = ContinuousClock.now
        let files = FileManager.default
        for (copy, source, target) in [(copyRemote, remote, workingRemote), (copyLocal, local, workingLocal)]
        where copy {
            try? files.removeItem(atPath: target)
            try files.createDirectory(atPath: target, withIntermediateDirectories: true)
            try files.copyItem(atPath: source + "/data.mdb", toPath: target + "/data.mdb")
            PageCache.drop(source + "/data.mdb")
        }
        let which = copyRemote && copyLocal ? "A and B" : copyRemote ? "A" : "B"
        print("working copy of \(which) made in \(format(ContinuousClock.now - started))")
        fflush(nil)
    }

    /// Reads both working copies once, so that the sync finds them in the page cache as a running
    /// relay finds its store (the generated pair is kept out of the cache).
    func warmWorkingCopies() throws {
        let started = ContinuousClock.now
        let bytes = PageCache.fileBytes(workingRemote + "/data.mdb") + PageCache.fileBytes(workingLocal + "/data.mdb")
        try PageCache.warm(workingRemote + "/data.mdb")
        try PageCache.warm(workingLocal + "/data.mdb")
        print("page cache: read \(bytes / 1_000_000) MB of working copies in \(format(ContinuousClock.now - started))")
        fflush(nil)
    }

    func removeWorkingCopies() { try? FileManager.default.removeItem(atPath: workingDirectory) }
}

/// The corpus's events in generation order, generated a batch of pubkeys at a time on every core.
struct CorpusStream {
    let generator: CorpusGenerator
    /// Events handed out at most per call, and about as many generated at a time.
    let batch: Int
    /// Time spent generating.
    private(set) var generating = Duration.zero
    private var nextPubkey = 0
    private var pending: [Event] = []

    init(generator: CorpusGenerator, batch: Int) {
        self.generator = generator
        self.batch = batch
    }

    /// The next `count` events.
    mutating func next(_ count: Int) throws -> [Event] {
        while pending.count < count {
            guard nextPubkey < generator.keyPairs.count else {
                throw RelayBenchmarkError(description: "the corpus ran out of events (too few pubkeys)")
            }
            let started = ContinuousClock.now
            let first = nextPubkey
            let pubkeys = min(max(1, batch / 3), generator.keyPairs.count - first)
            nextPubkey += pubkeys
            let parts = SendableBox(ParallelBatches(count: pubkeys))
            let generator = self.generator
            DispatchQueue.concurrentPerform(iterations: pubkeys) { offset in
                parts.value.set(offset, generator.events(forPubkey: first + offset))
            }
            pending += parts.value.all().joined()
            generating += ContinuousClock.now - started
        }
        let events = Array(pending.prefix(count))
        pending.removeFirst(count)
        return events
    }
}

/// Brings files into the page cache and takes them out.
enum PageCache {
    /// Reads `path` from start to end (sequential reads: 1 GB/s from this machine's disk, where
    /// the random 4 KiB reads of a cold B-tree walk manage about 3 MB/s).
    static func warm(_ path: String) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw RelayBenchmarkError(description: "cannot open \(path)") }
        defer { close(descriptor) }
        let size = 8 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 4096)
        defer { buffer.deallocate() }
        while read(descriptor, buffer, size) > 0 {}
    }

    /// Asks the kernel to drop `path`'s clean pages from the cache (`POSIX_FADV_DONTNEED`).
    static func drop(_ path: String) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        _ = posix_fadvise(descriptor, 0, 0, POSIX_FADV_DONTNEED)
    }

    /// The size of `path` in bytes (0 when missing).
    static func fileBytes(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }
}
