import Foundation
import LMDBStoreTesting
import PGAnalytics
import PurplePagesTestSupport
import Testing

/// The `purplepages-analytics` binary: exit statuses, `--once`, a clean stop on SIGTERM, and its
/// log lines (the format every executable shares, filtered by `--log-level` / `LOG_LEVEL`).
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
                #expect(result.errors.contains(" info purplepages-analytics: \(job) done in"), "\(job)")
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
            let failure = result.errors.split(separator: "\n").filter { $0.contains("/nonexistent/purplepages-store") }
            #expect(
                failure.count == 1 && failure.allSatisfy { $0.contains(" error purplepages-analytics: pass failed: ") })
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
                try await ExternalCommand.waitForText("purplepages-analytics: pass done", inFile: errors)
                kill(process.processIdentifier, SIGTERM)
            }
            #expect(result.status == 0, "\(result.errors)")
            #expect(result.errors.contains(" notice purplepages-analytics: stopping after the current job"))
            #expect(result.errors.contains(" info purplepages-analytics: stopped\n"))
            #expect(ContinuousClock.now - started < .seconds(60))
        }
    }
}

/// `purplepages-analytics`'s log lines: one format, filtered by `--log-level` and `LOG_LEVEL`.
@Suite struct WorkerLogLevelTests {
    /// `2026-12-03T13:11:20.123Z LEVEL purplepages-analytics: MESSAGE`
    static var line: Regex<(Substring, Substring)> {
        #/
        \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z \  (trace|debug|info|notice|warning|error|critical)
        \ purplepages-analytics: \ .+
        /#
    }

    /// The level of each line of `errors`, which must all be log lines.
    private func levels(_ errors: String) -> [String] {
        errors.split(separator: "\n").map { line in
            guard let match = try? Self.line.wholeMatch(in: String(line)) else {
                Issue.record("not a log line: \(line)")
                return ""
            }
            return String(match.output.1)
        }
    }

    /// A pass over a store of the planted graph with `arguments` and `environment`.
    private func pass(_ arguments: [String], environment: [String: String] = [:]) async throws -> CommandResult {
        try await TestDatabase.withSchema { url in
            let temporary = try TemporaryStore()
            _ = try PlantedGraph().store(in: temporary.store)
            let config = try TemporaryDirectory(prefix: "worker-log")
            let path = config.path + "/config.json"
            // An unknown key: a warning.
            let json =
                #"{"storage": {"path": "\#(temporary.path)", "map_size_gb": 1}, "analytics": {"nice": 0}, "typo": 1}"#
            try Data(json.utf8).write(to: URL(fileURLWithPath: path))
            return try await ExternalCommand.built("purplepages-analytics").run(
                ["--config", path, "--once", "--analytics-db-url", url] + arguments, environment: environment)
        }
    }

    @Test func debugShowsEveryLevelFromDebugUp() async throws {
        let result = try await pass(["--log-level", "debug"], environment: ["LOG_LEVEL": "error"])
        #expect(result.status == 0, "\(result.errors)")
        let levels = levels(result.errors)
        #expect(Set(levels) == ["debug", "info", "warning"], "\(result.errors)")
        #expect(result.errors.contains(" debug purplepages-analytics: trust starting\n"))
        #expect(result.errors.contains(" warning purplepages-analytics: "))
        #expect(result.errors.contains("warning purplepages-analytics: config: unknown key typo is ignored\n"))
    }

    @Test func warningShowsOnlyWarningsAndAbove() async throws {
        let result = try await pass(["--log-level", "warning"])
        #expect(result.status == 0, "\(result.errors)")
        #expect(levels(result.errors) == ["warning"], "\(result.errors)")
        #expect(result.errors.contains("typo"))
    }

    @Test func logLevelComesFromTheEnvironmentWithoutTheOption() async throws {
        let result = try await pass([], environment: ["LOG_LEVEL": "WARNING"])
        #expect(result.status == 0, "\(result.errors)")
        #expect(levels(result.errors) == ["warning"], "\(result.errors)")
        let byDefault = try await pass([], environment: ["LOG_LEVEL": ""])
        #expect(Set(levels(byDefault.errors)) == ["info", "warning"], "\(byDefault.errors)")
    }

    @Test func anInvalidLogLevelVariableIsAConfigurationError() async throws {
        let result = try await ExternalCommand.built("purplepages-analytics").run(
            ["--once"], environment: ["LOG_LEVEL": "bogus"])
        #expect(result.status == 2)
        #expect(result.errors.hasPrefix("purplepages-analytics: LOG_LEVEL: "), "\(result.errors)")
        #expect(result.errors.contains("\"bogus\""))
        let option = try await ExternalCommand.built("purplepages-analytics").run(["--once", "--log-level", "bogus"])
        #expect(option.status != 0)
        #expect(option.errors.contains("--log-level"), "\(option.errors)")
    }
}
