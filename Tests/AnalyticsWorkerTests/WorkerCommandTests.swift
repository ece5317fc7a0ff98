import Foundation
import LMDBStoreTesting
import PGAnalytics
import PurplePagesTestSupport
import Testing

/// The `purplepages-analytics` binary: exit statuses, `--once`, and a clean stop on SIGTERM.
@Suite struct WorkerCommandTests {
    /// A config file in a temporary directory, for a store at `storePath`.
    private func writeConfig(_ json: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("worker-\(UUID().uuidString).json")
            .path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func refusesToRunWithoutADatabase() async throws {
        let config = try writeConfig(#"{"storage": {"path": "/nonexistent/store"}}"#)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let result = try await ExternalCommand.built("purplepages-analytics").run(["--config", config, "--once"])
        #expect(result.status == 2)
        #expect(result.errors.contains("storage.analytics_db_url is empty"))
    }

    @Test func namesTheKeyOfAnInvalidConfiguration() async throws {
        let config = try writeConfig(#"{"analytics": {"trust_seeds": ["not-a-key"]}}"#)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let result = try await ExternalCommand.built("purplepages-analytics").run(["--config", config, "--once"])
        #expect(result.status == 2)
        #expect(result.errors.contains("analytics.trust_seeds[0]"))
        let badInterval = try await ExternalCommand.built("purplepages-analytics").run(["--interval", "soon"])
        #expect(badInterval.status == 2)
        #expect(badInterval.errors.contains("--interval"))
    }

    @Test func onceRunsEveryJobAndExits() async throws {
        try await TestDatabase.withSchema { url in
            let temporary = try TemporaryStore()
            _ = try PlantedGraph().store(in: temporary.store)
            let config = try writeConfig(#"{"storage": {"path": "\#(temporary.path)", "map_size_gb": 1}}"#)
            defer { try? FileManager.default.removeItem(atPath: config) }
            let result = try await ExternalCommand.built("purplepages-analytics").run(
                ["--config", config, "--once", "--analytics-db-url", url])
            #expect(result.status == 0, "\(result.errors)")
            for job in ["follower_counts", "trust", "bot_clusters", "spam_candidates", "communities"] {
                #expect(result.errors.contains("analytics: \(job) done in"), "\(job)")
            }
            #expect(result.errors.contains("peak RSS"))
            let database = try PostgresConnection(url: url)
            defer { database.close() }
            #expect(try database.execute("SELECT count(*) FROM bot_clusters").rows[0].int(0) == 1)
        }
    }

    @Test func aMissingStoreFailsThePass() async throws {
        try await TestDatabase.withSchema { url in
            let config = try writeConfig(#"{"storage": {"path": "/nonexistent/purplepages-store"}}"#)
            defer { try? FileManager.default.removeItem(atPath: config) }
            let result = try await ExternalCommand.built("purplepages-analytics").run(
                ["--config", config, "--once", "--analytics-db-url", url])
            #expect(result.status == 1)
            #expect(result.errors.contains("/nonexistent/purplepages-store"))
        }
    }

    @Test func sigtermBetweenPassesStopsCleanly() async throws {
        try await TestDatabase.withSchema { url in
            let temporary = try TemporaryStore()
            _ = try PlantedGraph().store(in: temporary.store)
            let config = try writeConfig(#"{"storage": {"path": "\#(temporary.path)", "map_size_gb": 1}}"#)
            defer { try? FileManager.default.removeItem(atPath: config) }
            let started = ContinuousClock.now
            let result = try await ExternalCommand.built("purplepages-analytics").run(
                ["--config", config, "--interval", "1h", "--analytics-db-url", url]
            ) { process, errors in
                try await ExternalCommand.waitForText("analytics: pass done", inFile: errors)
                kill(process.processIdentifier, SIGTERM)
            }
            #expect(result.status == 0, "\(result.errors)")
            #expect(result.errors.contains("analytics: stopped"))
            #expect(ContinuousClock.now - started < .seconds(60))
        }
    }
}
