import Foundation
import LMDBStore
import NostrCore
import PGAnalytics
import PurplePagesTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The crawler as processes: `purplepages crawl --once` between relay processes, and a relay with
/// `sync.enabled` following a seed live, with its counters on `/metrics` and its directory in
/// PostgreSQL.
@Suite("The crawler as a process", .serialized)
struct CrawlProcessTests {
    static func writeConfig(_ path: String, _ json: String) throws {
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
    }

    @Test func crawlOnceRefusesMistakesWithStatus2() async throws {
        let directory = try TemporaryDirectory(prefix: "crawl-usage")
        let config = directory.path + "/config.json"
        try Self.writeConfig(config, #"{"storage": {"path": "\#(directory.path)/events", "map_size_gb": 1}}"#)
        let withoutOnce = try await ExternalCommand.built("purplepages").run(["crawl", "--config", config])
        #expect(withoutOnce.status == 2, "\(withoutOnce.errors)")
        #expect(withoutOnce.errors.contains("--once"), "\(withoutOnce.errors)")
        // Options before the word `crawl` are moved after it, `--relay`'s value with it.
        let badSeed = try await ExternalCommand.built("purplepages").run(
            ["--relay", "https://relay.example.com", "crawl", "--once", "--config", config])
        #expect(badSeed.status == 2, "\(badSeed.errors)")
        #expect(badSeed.errors.contains("sync.relays[0]"), "names the key: \(badSeed.errors)")
        #expect(badSeed.errors.contains("https"), "says why: \(badSeed.errors)")
    }

    @Test func crawlOnceFillsAStoreAndARelayFollowsASeedLive() async throws {
        let directory = try TemporaryDirectory(prefix: "crawl-process")
        let remote = try await SyncCommandTests.Node(directory, "remote")
        defer { remote.relay.kill() }
        let backlog = (0..<20).map { KeyPair.generate().event(.metadata, content: #"{"name":"\#($0)"}"#) }
        try await remote.publish(backlog)
        let seed = "ws://127.0.0.1:\(remote.port)"

        // One pass into a store of its own; a second pass finds nothing new.
        let onceConfig = directory.path + "/once.json"
        try Self.writeConfig(
            onceConfig,
            #"""
            {"storage": {"path": "\#(directory.path)/once", "map_size_gb": 1},
             "sync": {"relays": ["\#(seed)"], "allow_private_addresses": true}}
            """#)
        let first = try await ExternalCommand.built("purplepages").run(["crawl", "--once", "--config", onceConfig])
        #expect(first.status == 0, "\(first.errors)")
        #expect(first.output.contains("20 events stored"), "\(first.output)")
        let second = try await ExternalCommand.built("purplepages").run(["crawl", "--once", "--config", onceConfig])
        #expect(second.status == 0 && second.output.contains(" 0 events stored"), "\(second.output)")

        // Without the guard's permission, loopback is refused and nothing is stored.
        let guardedConfig = directory.path + "/guarded.json"
        try Self.writeConfig(
            guardedConfig,
            #"{"storage": {"path": "\#(directory.path)/guarded", "map_size_gb": 1}, "sync": {"relays": ["\#(seed)"]}}"#)
        let guarded = try await ExternalCommand.built("purplepages").run(
            ["crawl", "--once", "--config", guardedConfig])
        #expect(guarded.status == 0 && guarded.output.contains("(1 failed), 0 events stored"), "\(guarded.output)")

        try await TestDatabase.withSchema { url in
            // A relay crawling the seed: the backlog, then a new event live.
            let config = directory.path + "/local.json"
            try Self.writeConfig(
                config,
                #"""
                {"storage": {"path": "\#(directory.path)/local", "map_size_gb": 1, "analytics_db_url": "\#(url)"},
                 "analytics": {"flush_seconds": 1},
                 "sync": {"enabled": true, "relays": ["\#(seed)"], "allow_private_addresses": true,
                          "reconnect_seconds": 1}}
                """#)
            let port = try freePort()
            let local = try RunningRelay(
                arguments: ["--config", config, "--port", String(port)], logDirectory: directory.path, name: "local")
            defer { local.kill() }
            _ = try await local.waitForInformationDocument(port: port)
            try await waitFor("the backlog") {
                try await metric("purplepages_crawler_events_stored_total", port: port) ?? 0 >= 20
            }
            try await waitFor("the live subscription") {
                try await metric("purplepages_crawler_live_connections_count", port: port) ?? 0 == 1
            }
            let fresh = KeyPair.generate().event(.metadata, content: #"{"name":"live"}"#)
            try await remote.publish([fresh])
            try await waitFor("the live event") {
                let client = try await NostrTestClient.connect(port: port)
                defer { Task { await client.close() } }
                return try await client.request("live", [Filter(ids: [fresh.id])]).count == 1
            }
            // The directory reaches PostgreSQL for the pages.
            let connection = try PostgresConnection(url: url)
            defer { connection.close() }
            try await waitFor("the relay_directory row") {
                let visits = try connection.execute(
                    "SELECT visits, events_contributed, is_seed FROM relay_directory WHERE url = $1", [.string(seed)])
                guard visits.rowCount == 1 else { return false }
                return try (visits.rows[0].int(0) ?? 0) >= 1
            }
            try local.signal(SIGTERM)
            #expect(try await local.waitForExit(timeout: .seconds(30)) == 0)
        }
    }

    /// Waits (at most 20 s) until `condition` holds.
    func waitFor(_ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("timed out waiting for \(what)")
    }
}
