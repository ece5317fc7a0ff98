import Foundation
import PurplePagesTestSupport
import Testing

@testable import PGAnalytics

/// A flush across a restart of the PostgreSQL server: the batch that failed while the server was
/// down stays in the sink and is written, once, by the first flush after it comes back.
///
/// The shared test server must keep running for the suites using it in parallel, so this test
/// starts and stops a private server of its own (binaries from PURPLEPAGES_TEST_PG_BINDIR).
@Suite struct TrackingRestartTests {
    static let now = Track.time("2024-03-10T12:34:56.000Z")

    @Test func flushAfterServerRestartLosesNothing() throws {
        let server = try PrivateServer()
        defer { server.destroy() }
        try server.start()

        let setup = try server.connect()
        for statement in AnalyticsMigrations.all.flatMap(\.statements) { try setup.execute(statement) }
        setup.close()

        let sink = TrackingSink(limits: TrackingLimits())
        let (ipA, ipB) = ("192.0.2.1", "192.0.2.2")
        let (one, two, three) = (Track.pubkey(1), Track.pubkey(2), Track.pubkey(3))

        // Batch 1, written on connection A.
        let connectionA = try server.connect()
        defer { connectionA.close() }
        sink.recordRequest(ip: ipA, authors: [one, two], kinds: [1], now: Self.now)
        sink.recordRequest(ip: ipA, authors: [one], kinds: [1], now: Self.now)
        try sink.flush(to: connectionA)
        #expect(sink.pendingKeys == 0)

        // Batch 2, held when the server goes away.
        sink.recordRequest(ip: ipA, authors: [one, three], kinds: [1], now: Self.now)
        sink.recordRequest(ip: ipB, authors: [two], kinds: [1], now: Self.now)
        try server.stop()

        let error = try #require(throws: PostgresError.self) { try sink.flush(to: connectionA) }
        #expect(error.isConnectionFailure, "\(error)")
        #expect(sink.pendingKeys > 0)
        #expect(sink.flushFailures == 1)
        #expect(sink.droppedKeys == 0)

        // Batch 3, recorded while the server is down.
        sink.recordRequest(ip: ipB, authors: [one, two, three], kinds: [1], now: Self.now)
        sink.recordRequest(ip: ipB, authors: [three], kinds: [1], now: Self.now)

        // Back up on the same port: a new connection writes batches 2 and 3 together.
        try server.start()
        let connectionB = try server.connect()
        defer { connectionB.close() }
        try sink.flush(to: connectionB)
        #expect(sink.pendingKeys == 0)
        #expect(sink.lastFlushError == nil)
        #expect(sink.droppedKeys == 0)

        // Totals of batches 1 + 2 + 3: pubkey 1 in 4 requests, 2 in 3, 3 in 3; ipA 3, ipB 3.
        let popularity = try connectionB.execute(
            "select pubkey, total_requests from req_pubkey_popularity order by pubkey"
        ).rows.map { row in [try row.string(0), try row.string(1)] }
        #expect(popularity == [[one, "4"], [two, "3"], [three, "3"]])
        let traffic = try connectionB.execute(
            "select day::text, ip, request_count from ip_traffic_daily order by ip"
        ).rows.map { row in [try row.string(0), try row.string(1), try row.string(2)] }
        #expect(traffic == [["2024-03-10", ipA, "3"], ["2024-03-10", ipB, "3"]])
        let kindTotal = try connectionB.execute("select request_count from req_kind_totals where kind = 1")
            .rows.map { row in try row.string(0) }
        #expect(kindTotal == ["6"])
    }
}

/// A PostgreSQL server of one test's own, in a temporary directory, on a free port of 127.0.0.1.
/// As root it runs as the `postgres` system user (PostgreSQL refuses to run as root), like
/// scripts/with-postgres does.
private struct PrivateServer {
    let bindir: String
    let directory: String
    let port: Int
    let asRoot = getuid() == 0

    var data: String { directory + "/data" }
    var url: String { "postgresql://postgres@127.0.0.1:\(port)/postgres?sslmode=disable&connect_timeout=5" }

    /// Creates the directory and the cluster (initdb); the server is not started yet.
    init() throws {
        guard let bindir = ProcessInfo.processInfo.environment["PURPLEPAGES_TEST_PG_BINDIR"], !bindir.isEmpty
        else {
            throw TestFailure(
                "PURPLEPAGES_TEST_PG_BINDIR is not set: run the tests with `make test` "
                    + "(or scripts/with-postgres swift test)")
        }
        self.bindir = bindir
        port = try freePort()
        let template = "/tmp/purplepages-restart-XXXXXX"
        if getuid() == 0 {
            // A directory the server's user owns.
            let output = try Self.run(["runuser", "-u", "postgres", "--", "mktemp", "-d", template])
            directory = output.trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            directory = try Self.run(["mktemp", "-d", template]).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard directory.hasPrefix("/tmp/purplepages-restart-") else {
            throw TestFailure("mktemp gave \(directory)")
        }
        do {
            try pg(["initdb", "-D", data, "--auth=trust", "-U", "postgres", "-E", "UTF8", "--no-sync"])
        } catch {
            destroy()
            throw error
        }
    }

    func start() throws {
        try pg([
            "pg_ctl", "start", "-w", "-t", "30", "-D", data, "-l", directory + "/server.log",
            "-o", "-c listen_addresses=127.0.0.1 -p \(port) -c fsync=off -k \(directory)",
        ])
    }

    func stop() throws {
        try pg(["pg_ctl", "stop", "-w", "-t", "30", "-m", "fast", "-D", data])
    }

    func connect() throws -> PostgresConnection { try PostgresConnection(url: url) }

    /// Stops the server if it runs (immediately) and removes the directory.
    func destroy() {
        if FileManager.default.fileExists(atPath: data + "/postmaster.pid") {
            _ = try? pg(["pg_ctl", "stop", "-w", "-t", "30", "-m", "immediate", "-D", data])
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs one of the server's binaries, as the server's user.
    @discardableResult
    private func pg(_ arguments: [String]) throws -> String {
        let command = [bindir + "/" + arguments[0]] + arguments.dropFirst()
        return try Self.run(asRoot ? ["runuser", "-u", "postgres", "--"] + command : command)
    }

    /// Runs `arguments` (found on PATH) from `/`, waits for it and returns its output; throws with
    /// the output when it fails. It runs under a bash that first closes every descriptor but 0-2:
    /// Foundation learns that a child exited when the socket it hands the child closes, and the
    /// server pg_ctl leaves running would otherwise hold that socket (and whatever else this
    /// process has open) for good. The output goes to a file, not a pipe, for the same reason.
    @discardableResult
    private static func run(_ arguments: [String]) throws -> String {
        let log = FileManager.default.temporaryDirectory
            .appendingPathComponent("purplepages-restart-\(UUID().uuidString).out")
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
            throw TestFailure("cannot create \(log.path)")
        }
        defer { try? FileManager.default.removeItem(at: log) }
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments =
            [
                "-c", #"for fd in $(ls /proc/$$/fd); do ((fd > 2)) && eval "exec $fd>&-"; done; exec "$@""#,
                "bash",
            ] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw TestFailure("\(arguments.joined(separator: " ")) failed (\(process.terminationStatus)): \(output)")
        }
        return output
    }
}
