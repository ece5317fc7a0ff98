import CommandLineSupport
import Foundation
import LMDBStore
import NostrClient
import NostrCore
import RelaySync
import Synchronization

/// Runs one sync of the working copy of B with the relay serving the working copy of A, and
/// measures it.
struct SyncRunner: Sendable {
    let pair: SyncStorePair
    let options: SyncOptions
    /// Whether the client offers permessage-deflate.
    let compression: Bool
    /// `purplepages` to run the relay with; nil runs it in this process.
    let relayExecutable: String?

    /// A relay over the working copy of A.
    func startRelay() async throws -> SyncRemoteRelay {
        if let relayExecutable {
            return try await SyncRemoteRelay.startProcess(
                executable: relayExecutable, storePath: pair.workingRemote, events: pair.plan.events,
                frameSizeLimit: options.frameSizeLimit, directory: pair.workingDirectory)
        }
        return try await SyncRemoteRelay.startInProcess(
            storePath: pair.workingRemote, events: pair.plan.events, frameSizeLimit: options.frameSizeLimit)
    }

    /// Syncs the working copy of B with `relay` and measures it: the summary's wall time and
    /// bytes, the CPU and own-memory growth of this process (the client and B's writes) and of
    /// the relay process.
    func run(
        _ name: String, relay: SyncRemoteRelay, direction: SyncDirection = .both, dryRun: Bool = false,
        paging: Bool = false
    ) async throws -> SyncRunResult {
        print("\(name):")
        fflush(nil)
        var options = options
        options.direction = direction
        options.dryRun = dryRun
        options.forceRequestPaging = paging
        let localCommits = CommitCounter()
        var storeConfiguration = pair.storeConfiguration(pair.workingLocal)
        storeConfiguration.onCommit = { localCommits.observe($0, $1) }
        let store = try EventStore(configuration: storeConfiguration)
        defer { store.close() }
        var configuration = RelayClientConfiguration()
        configuration.maxMessageBytes = max(configuration.maxMessageBytes, 4 * options.frameSizeLimit)
        configuration.idleTimeout = options.responseTimeout * 2
        configuration.compression = compression
        let client = try await RelayClient.connect(to: relay.url, configuration: configuration)

        let ownMemory = MemoryMonitor(pid: getpid())
        let relayMemory = relay.process.map { MemoryMonitor(pid: $0.pid) }
        let ownBefore = ProcessMemory.read()?.anonymousKiB ?? 0
        let relayBefore = relay.process.flatMap { ProcessMemory.read(pid: $0.pid) }?.anonymousKiB ?? 0
        let ownCPU = ProcessCPU.ownSeconds
        let relayCPU = relay.cpuSeconds
        let relayCommits = await relay.commits()
        let ownWritten = ProcessCPU.bytesWritten(pid: nil)
        let relayWritten = relay.process.flatMap { ProcessCPU.bytesWritten(pid: $0.pid) }
        let progress = SyncProgress(isTerminal: isatty(STDERR_FILENO) == 1) { text in
            FileHandle.standardError.write(Data(text.utf8))
        }
        let phases = SyncPhases()
        let summary = await StoreSynchronizer(store: store, options: options) {
            phases.update($0)
            progress.update($0)
        }.run(with: client)
        let ended = ContinuousClock.now
        progress.finish()
        var result = SyncRunResult(name: name, summary: summary)
        result.phases = phases.split(ended: ended, paging: paging)
        result.clientCPU = ProcessCPU.ownSeconds - ownCPU
        result.relayCPU = relay.cpuSeconds.flatMap { after in relayCPU.map { after - $0 } }
        result.clientCommits = localCommits.commits
        if let before = relayCommits, let after = await relay.commits() { result.relayCommits = after.since(before) }
        // What each side wrote less what it sent on the wire: the store's pages, mostly.
        result.clientDiskBytes = ProcessCPU.bytesWritten(pid: nil).flatMap { after in
            ownWritten.map { max(0, after - $0 - summary.bytesSent) }
        }
        result.relayDiskBytes = relay.process.flatMap { ProcessCPU.bytesWritten(pid: $0.pid) }.flatMap { after in
            relayWritten.map { max(0, after - $0 - summary.bytesReceived) }
        }
        let ownPeak = max(ownMemory.stop().anonymousKiB, ProcessMemory.read()?.anonymousKiB ?? 0)
        result.clientMemoryKiB = ownPeak - ownBefore
        result.relayMemoryKiB = relayMemory.map { $0.stop().anonymousKiB - relayBefore }
        await client.close()
        for line in summary.lines { print("  " + line) }
        print("    phases: \(result.phases)")
        print(
            "    commits: B \(result.clientCommits.description), A \(result.relayCommits?.description ?? "unknown")")
        fflush(nil)
        return result
    }

    /// Compares the items of the working copies of A and B (the relay stopped): `result.equal`.
    func verify(_ result: inout SyncRunResult) throws {
        let started = ContinuousClock.now
        let remote = try EventStore(configuration: pair.storeConfiguration(pair.workingRemote, readOnly: true))
        defer { remote.close() }
        let local = try EventStore(configuration: pair.storeConfiguration(pair.workingLocal, readOnly: true))
        defer { local.close() }
        let limit = 4 * pair.plan.events
        let remoteItems = try remote.negentropyItems(Filter(), limit: limit)
        let localItems = try local.negentropyItems(Filter(), limit: limit)
        result.equal = remoteItems == localItems
        print(
            "  stores equal: \(result.equal == true ? "yes" : "no") (A \(remoteItems.count) events, B "
                + "\(localItems.count), expected \(pair.plan.total) each; compared in "
                + "\(format(ContinuousClock.now - started)))")
        fflush(nil)
    }
}

/// What one run measured.
struct SyncRunResult: Sendable {
    let name: String
    let summary: SyncSummary
    /// CPU seconds of this process (the client and B's writes; with the relay in this process, both sides).
    var clientCPU = 0.0
    /// CPU seconds of the relay process.
    var relayCPU: Double?
    /// Growth of this process's own memory (RssAnon), at its peak, in KiB.
    var clientMemoryKiB = 0
    /// Growth of the relay process's own memory, at its peak, in KiB.
    var relayMemoryKiB: Int?
    /// Write transactions of B's store during the sync.
    var clientCommits = StoreCommits()
    /// Write transactions of A's store (the relay's) during the sync.
    var relayCommits: StoreCommits?
    /// Bytes this process wrote (write calls) less those it sent on the wire: B's store pages.
    var clientDiskBytes: Int?
    /// Bytes the relay process wrote less those it sent on the wire: A's store pages.
    var relayDiskBytes: Int?
    /// Whether A and B ended equal (nil: not checked).
    var equal: Bool?
    /// Where the wall time went.
    var phases = ""

    /// The runs as one table.
    static func printTable(_ results: [SyncRunResult]) {
        print("")
        print(
            "run                           rounds    need    have  stored  accepted   wall s   sent MB   recv MB"
                + "  CPU s client/relay  own MB client/relay  store writes MB client/relay  equal")
        for result in results {
            let summary = result.summary
            var line = result.name.padding(toLength: 28, withPad: " ", startingAt: 0)
            line += pad(summary.rounds, 8) + pad(summary.need, 8) + pad(summary.have, 8)
            line += pad(summary.stored, 8) + pad(summary.accepted, 10)
            line += String(
                format: " %8.2f %9.2f %9.2f", seconds(summary.elapsed), Double(summary.bytesSent) / 1e6,
                Double(summary.bytesReceived) / 1e6)
            line += String(format: "  %8.2f / ", result.clientCPU)
            line += result.relayCPU.map { String(format: "%-7.2f", $0) } ?? "(same) "
            line += pad(result.clientMemoryKiB / 1024, 10) + " / "
            line +=
                result.relayMemoryKiB.map { String($0 / 1024).padding(toLength: 7, withPad: " ", startingAt: 0) }
                ?? "(same) "
            line += pad((result.clientDiskBytes ?? 0) / 1_000_000, 17) + " / "
            line +=
                result.relayDiskBytes.map { String($0 / 1_000_000).padding(toLength: 8, withPad: " ", startingAt: 0) }
                ?? "(same)  "
            line += result.equal.map { $0 ? "  yes" : "  NO" } ?? "  -"
            if let error = summary.error { line += "  (stopped: \(error))" }
            print(line)
        }
    }
}

/// When a sync moved from reconciling to downloading to uploading, from its progress reports (one
/// after negentropy ends, after every downloaded batch and every uploaded batch).
final class SyncPhases: Sendable {
    private struct Marks {
        let started = ContinuousClock.now
        /// The first report with a method: negentropy is done (REQ paging: it starts).
        var reconciled: ContinuousClock.Instant?
        /// The last report before the first upload.
        var beforeUpload: ContinuousClock.Instant?
    }

    private let marks = Mutex(Marks())

    /// Notes `summary`'s progress.
    func update(_ summary: SyncSummary) {
        let now = ContinuousClock.now
        marks.withLock { marks in
            if summary.method != nil && marks.reconciled == nil { marks.reconciled = now }
            if summary.sent == 0 { marks.beforeUpload = now }
        }
    }

    /// `reconcile 1.23 s, download 3.45 s, upload 5.67 s` for a sync that ended at `end`.
    func split(ended end: ContinuousClock.Instant, paging: Bool) -> String {
        let marks = marks.withLock { $0 }
        func format(_ duration: Duration) -> String { String(format: "%.2f s", seconds(duration)) }
        let reconciled = marks.reconciled ?? end
        let beforeUpload = max(marks.beforeUpload ?? end, reconciled)
        let first = paging ? "paging (downloading as it goes)" : "reconcile"
        if paging {
            return "\(first) \(format(beforeUpload - marks.started)), upload \(format(end - beforeUpload))"
        }
        return "\(first) \(format(reconciled - marks.started)), download \(format(beforeUpload - reconciled)), "
            + "upload \(format(end - beforeUpload))"
    }
}
