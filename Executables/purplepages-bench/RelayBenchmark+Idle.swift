// Memory per idle connection, read from the relay's /proc entry.
import Foundation
import RelayServer

/// Opens `connections` WebSocket connections that do nothing, and reports how much the relay's
/// resident memory grew per connection (the relay must run on this machine: `--pid`).
struct IdleBenchmark {
    let session: RelaySession
    let connections: Int
    let pid: Int32
    let hold: Duration

    func run() async throws {
        let limit = OpenFileLimit.raiseToHardLimit()
        guard limit >= connections + 256 else {
            throw RelayBenchmarkError(
                description:
                    "\(connections) connections need more open files than the limit of \(limit): raise `ulimit -Hn`")
        }
        guard let before = Self.residentKiB(pid) else {
            throw RelayBenchmarkError(description: "no process \(pid) to measure (/proc/\(pid)/status)")
        }
        let clock = ContinuousClock()
        let start = clock.now
        let opened = try await session.connect(count: connections)
        let openSeconds = seconds(clock.now - start)
        // Let the relay settle (buffers released, background work done) before sampling.
        try await Task.sleep(for: hold)
        let during = Self.residentKiB(pid) ?? before
        let stillOpen = opened.filter { !$0.isClosed }.count
        await session.close(opened)
        try await Task.sleep(for: .seconds(1))
        let after = Self.residentKiB(pid) ?? during
        let perConnection = Double(during - before) / Double(max(1, stillOpen))
        print(
            "idle: \(stillOpen) of \(connections) connections open (in \(String(format: "%.1f", openSeconds)) s);"
                + " relay RSS \(before) KiB before, \(during) KiB with them, \(after) KiB after closing")
        print("  \(String(format: "%.1f", perConnection)) KiB per idle connection")
    }

    /// VmRSS of process `pid`, in KiB.
    static func residentKiB(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }
}
