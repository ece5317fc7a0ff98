import Foundation
import NostrCore
import PGAnalytics
import PurplePagesTestSupport
import Testing

/// The `purplepages` executable run as its own process: start-up, serving, SIGTERM, restart on the
/// same store, and configuration errors.
@Suite("purplepages process", .serialized)
struct RelayProcessTests {
    @Test func servesShutsDownOnSIGTERMAndKeepsEventsAcrossRestart() async throws {
        let directory = try TemporaryDirectory(prefix: "purplepages-process")
        let configPath = directory.path + "/config.json"
        let config = """
            {
              "relay": {"name": "Process test relay"},
              "server": {"host": "127.0.0.1", "port": 1},
              "storage": {"path": "\(directory.path)/store", "map_size_gb": 1}
            }
            """
        try Data(config.utf8).write(to: URL(fileURLWithPath: configPath))
        let author = KeyPair.generate()
        let profile = author.sign(kind: .metadata, tags: [], content: #"{"name":"survivor"}"#, createdAt: unixNow)

        // First run: publish, query, then SIGTERM with the WebSocket still open.
        let port = try freePort()
        let first = try RunningRelay(
            arguments: ["--config", configPath, "--port", String(port)], logDirectory: directory.path,
            name: "first")
        do {
            let document = try await first.waitForInformationDocument(port: port)
            #expect(document["name"]?.stringValue == "Process test relay")
            let client = try await NostrTestClient.connect(port: port)
            #expect(try await client.publish(profile) == (true, ""))
            #expect(try await client.requestRaw("q", [Filter(authors: [author.publicKey])]) == [profile.jsonString])
            try first.signal(SIGTERM)
            let status = try await first.waitForExit(timeout: .seconds(10))
            #expect(status == 0, "exit status after SIGTERM; stderr: \(first.standardError)")
            #expect(first.standardError.components(separatedBy: "analytics tracking is off").count == 2, "said once")
            #expect(await client.waitUntilClosed(timeout: .seconds(5)), "the relay closed the WebSocket on shutdown")
            await client.close()
        } catch {
            first.kill()
            throw error
        }

        // Second run on the same store: the event is still there.
        let secondPort = try freePort()
        let second = try RunningRelay(
            arguments: ["--config", configPath, "--port", String(secondPort)],
            logDirectory: directory.path, name: "second")
        do {
            _ = try await second.waitForInformationDocument(port: secondPort)
            try await withClient(port: secondPort) { client async throws in
                #expect(try await client.requestRaw("q", [Filter(authors: [author.publicKey])]) == [profile.jsonString])
            }
            try second.signal(SIGTERM)
            let status = try await second.waitForExit(timeout: .seconds(10))
            #expect(status == 0, "exit status after SIGTERM; stderr: \(second.standardError)")
        } catch {
            second.kill()
            throw error
        }
    }

    /// With an analytics database the relay migrates it at start, records client traffic, and
    /// flushes what it holds when SIGTERM stops it (long before the 15 s flush interval).
    @Test func tracksIntoPostgreSQLAndFlushesOnShutdown() async throws {
        let analytics = try TestSchema(prefix: "relay_process")
        let (schema, admin, url) = (analytics.name, analytics.admin, analytics.url)
        defer { withExtendedLifetime(analytics) {} }  // the schema is dropped when it goes
        let directory = try TemporaryDirectory(prefix: "purplepages-process")
        let configPath = directory.path + "/config.json"
        try Data(#"{"storage": {"path": "\#(directory.path)/store", "map_size_gb": 1}}"#.utf8)
            .write(to: URL(fileURLWithPath: configPath))
        let port = try freePort()
        let relay = try RunningRelay(
            arguments: ["--config", configPath, "--port", String(port), "--analytics-db-url", url],
            logDirectory: directory.path, name: "tracking")
        do {
            _ = try await relay.waitForInformationDocument(port: port)
            try await withClient(port: port) { client async throws in
                #expect(
                    try await client.publish(
                        KeyPair.generate().sign(kind: .metadata, tags: [], content: "{}", createdAt: unixNow)
                    ).accepted)
                #expect(try await client.requestRaw("q", [Filter(kinds: [.metadata])]).count == 1)
            }
            // The schema is migrated at start, in the background: wait for it.
            let deadline = ContinuousClock.now + .seconds(10)
            while try admin.execute("SELECT to_regclass($1)::text", [.string(schema + ".ip_traffic_daily")]).rows.first?
                .string(0) == nil
            {
                guard ContinuousClock.now < deadline else { throw TestFailure("the relay did not migrate the schema") }
                try await Task.sleep(for: .milliseconds(50))
            }
            try relay.signal(SIGTERM)
            #expect(try await relay.waitForExit(timeout: .seconds(15)) == 0, "stderr: \(relay.standardError)")
        } catch {
            relay.kill()
            throw error
        }
        let served = try admin.execute(
            "SELECT request_count, events_served FROM \(schema).ip_traffic_daily WHERE ip = '127.0.0.1'"
        ).rows
        #expect(served.count == 1, "stderr: \(relay.standardError)")
        #expect(try served.first?.int64(0) == 1 && served.first?.int64(1) == 1)
        #expect(relay.standardError.contains("analytics tracking is on"))
    }

    /// Two relays started together on one empty analytics database: the schema is migrated once,
    /// by whichever gets the advisory lock first; the other finds it up to date.
    @Test func twoRelaysStartingTogetherMigrateOnce() async throws {
        let analytics = try TestSchema(prefix: "relay_pair")
        let (schema, admin, url) = (analytics.name, analytics.admin, analytics.url)
        defer { withExtendedLifetime(analytics) {} }  // the schema is dropped when it goes
        let directory = try TemporaryDirectory(prefix: "purplepages-process")
        var relays: [RunningRelay] = []
        defer { relays.forEach { $0.kill() } }
        for name in ["left", "right"] {
            let configPath = directory.path + "/\(name).json"
            try Data(#"{"storage": {"path": "\#(directory.path)/\#(name)", "map_size_gb": 1}}"#.utf8)
                .write(to: URL(fileURLWithPath: configPath))
            relays.append(
                try RunningRelay(
                    arguments: ["--config", configPath, "--port", String(try freePort()), "--analytics-db-url", url],
                    logDirectory: directory.path, name: name))
        }
        let deadline = ContinuousClock.now + .seconds(15)
        while !relays.allSatisfy({
            $0.standardError.contains("analytics: applied migrations")
                || $0.standardError.contains("analytics: schema up to date")
        }) {
            guard ContinuousClock.now < deadline else {
                throw TestFailure("the relays did not both report the schema: \(relays.map(\.standardError))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let applied = relays.filter { $0.standardError.contains("analytics: applied migrations") }
        #expect(applied.count == 1, "exactly one relay applied the migrations")
        let versions = try admin.execute("SELECT version FROM \(schema).schema_migrations ORDER BY version").rows
        #expect(try versions.map { try $0.int(0) } == AnalyticsMigrations.all.map(\.version))
        for relay in relays {
            try relay.signal(SIGTERM)
            #expect(try await relay.waitForExit(timeout: .seconds(15)) == 0, "stderr: \(relay.standardError)")
        }
    }

    @Test func invalidConfigurationExitsWithStatus2NamingTheKey() async throws {
        let directory = try TemporaryDirectory(prefix: "purplepages-process")
        let configPath = directory.path + "/config.json"
        let config = """
            {"storage": {"path": "\(directory.path)/store"}, "server": {"host": "127.0.0.1"}, "limits": {"max_limit": "x"}}
            """
        try Data(config.utf8).write(to: URL(fileURLWithPath: configPath))
        let process = try RunningRelay(
            arguments: ["--config", configPath, "--port", String(try freePort())],
            logDirectory: directory.path, name: "invalid")
        let status: Int32
        do {
            status = try await process.waitForExit(timeout: .seconds(10))
        } catch {
            process.kill()
            throw error
        }
        #expect(status == 2, "stderr: \(process.standardError)")
        #expect(process.standardError.contains("limits.max_limit"), "stderr: \(process.standardError)")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/store/data.mdb"))
    }
}
