import ArgumentParser
import CommandLineSupport
import Foundation
import RelayCrawler

/// `purplepages-bench crawl-directory`: the crawler's relay directory at network scale — most
/// relays found in kind 10002 lists are dead — against the goals: under 100 MB for
/// 100,000 relays and under 1 ms to schedule a visit.
struct DirectoryBenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crawl-directory",
        abstract:
            "Relay directory memory, disk, reopen time and claimNextDue+finishVisit latency p50/p99/max with N relays, 90% failing."
    )

    @Option(help: "Relays in the directory.")
    var relays = 100_000

    @Option(help: "claimNextDue+finishVisit operations timed.")
    var operations = 100_000

    @Option(help: "Directory path (default: a temporary one, removed afterwards).")
    var path: String?

    @Flag(help: "Keep the directory.")
    var keep = false

    func run() throws {
        let directoryPath = path ?? NSTemporaryDirectory() + "purplepages-bench-directory-\(UUID().uuidString)"
        defer { if !keep { try? FileManager.default.removeItem(atPath: directoryPath) } }
        let clock = ContinuousClock()
        let start: Int64 = 1_700_000_000
        let before = ProcessMemory.read()

        var directory = try RelayDirectory(path: directoryPath, maxRelays: relays, jitterSeed: 1)
        let filling = clock.now
        for first in stride(from: 0, to: relays, by: 10_000) {
            directory.discover((first..<min(relays, first + 10_000)).map(Self.url), now: start)
        }
        let discovered = clock.now - filling
        // The first visit of every relay: 90% fail, as most listed relays are gone.
        let visiting = clock.now
        while let record = directory.claimNextDue(now: start) {
            directory.finishVisit(record.url, result: Self.outcome(of: record.url), now: start)
        }
        let visited = clock.now - visiting
        let filled = ProcessMemory.read()
        print(
            "crawl-directory: \(directory.count) relays, 90% failing: discovered in \(Self.format(discovered)),"
                + " first visit of each in \(Self.format(visited))")
        if let before, let filled {
            print(
                "memory: VmRSS +\(Self.megabytes(filled.residentKiB - before.residentKiB)) MB after filling"
                    + " (own +\(Self.megabytes(filled.anonymousKiB - before.anonymousKiB)) MB, mapped files"
                    + " +\(Self.megabytes(filled.fileKiB - before.fileKiB)) MB)   goal < 100 MB")
        }

        directory.close()
        let disk = Self.diskBytes(directoryPath + "/data.mdb")
        print(
            "disk: data.mdb \(Self.megabytes(disk.size / 1024)) MB"
                + " (\(Self.megabytes(disk.allocated / 1024)) MB allocated), \(disk.size / max(1, relays)) bytes/relay")
        // Give the freed heap back, so the reopened directory's own figure is not hidden by it.
        _ = mallocTrim(0)
        let closed = ProcessMemory.read()
        let reopening = clock.now
        directory = try RelayDirectory(path: directoryPath, maxRelays: relays, jitterSeed: 2)
        let reopened = clock.now - reopening
        if let closed, let after = ProcessMemory.read() {
            print(
                "reopen: \(Self.format(reopened)) for \(directory.count) relays, VmRSS"
                    + " +\(Self.megabytes(after.residentKiB - closed.residentKiB)) MB"
                    + " (own +\(Self.megabytes(after.anonymousKiB - closed.anonymousKiB)) MB)   goal < 100 MB")
        }
        defer { directory.close() }
        try measureLatency(directory, start: start + 1)
    }

    /// Times claimNextDue and finishVisit on a simulated clock that jumps to the next due time
    /// whenever nothing is due, so every operation claims a relay.
    private func measureLatency(_ directory: RelayDirectory, start: Int64) throws {
        let clock = ContinuousClock()
        var now = start
        var claims: [Duration] = []
        var rounds: [Duration] = []
        claims.reserveCapacity(operations)
        rounds.reserveCapacity(operations)
        var failed = 0
        while rounds.count < operations {
            let begin = clock.now
            guard let record = directory.claimNextDue(now: now) else {
                guard let next = directory.nextDueTime else { break }
                now = max(now + 1, next)
                continue
            }
            let claimed = clock.now
            let outcome = Self.outcome(of: record.url)
            directory.finishVisit(record.url, result: outcome, now: now)
            let end = clock.now
            claims.append(claimed - begin)
            rounds.append(end - begin)
            if !outcome.succeeded { failed += 1 }
        }
        print(
            "\(rounds.count) visits scheduled (\(failed) failing) over \((now - start) / 60) simulated minutes,"
                + " the relays' next visits in the order the directory hands them out:")
        print("  claimNextDue               \(Self.percentiles(claims))")
        print("  claimNextDue+finishVisit   \(Self.percentiles(rounds))   goal < 1 ms (1000 µs)")
    }

    /// A relay URL shaped like real ones.
    static func url(_ index: Int) -> String { "wss://relay\(index).nostr-host\(index % 977).example.net" }

    /// Whether visiting `url` succeeds: one relay in ten, decided by a hash of its URL so no table
    /// of the bench's own inflates the memory figure.
    static func outcome(of url: String) -> VisitResult {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in url.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        if hash % 10 == 0 { return VisitResult(succeeded: true, eventsStored: 3, bytesReceived: 4096) }
        return VisitResult(succeeded: false, error: "connect: Connection refused (os error 111)")
    }

    static func percentiles(_ samples: [Duration]) -> String {
        let sorted = samples.sorted()
        guard !sorted.isEmpty else { return "no samples" }
        func micros(_ duration: Duration) -> String { String(format: "%.1f", seconds(duration) * 1e6) }
        let p50 = sorted[sorted.count / 2]
        let p99 = sorted[min(sorted.count - 1, sorted.count * 99 / 100)]
        return "p50 \(micros(p50)) µs  p99 \(micros(p99)) µs  max \(micros(sorted.last!)) µs"
    }

    static func format(_ duration: Duration) -> String { String(format: "%.2f s", seconds(duration)) }

    static func megabytes(_ kib: Int) -> String { String(format: "%.1f", Double(kib) / 1024) }

    /// The file's size and the bytes the file system allocated for it.
    static func diskBytes(_ path: String) -> (size: Int, allocated: Int) {
        var info = stat()
        guard stat(path, &info) == 0 else { return (0, 0) }
        return (Int(info.st_size), Int(info.st_blocks) * 512)
    }
}

/// glibc's `malloc_trim` (its header is not in Swift's Glibc module): returns freed heap to the system.
@_silgen_name("malloc_trim")
private func mallocTrim(_ pad: Int) -> Int32
