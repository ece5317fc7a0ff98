import AnalyticsWorker
import Foundation
import LMDBStoreTesting
import Logging
import PGAnalytics
import PurplePagesConfiguration
import PurplePagesTestSupport
import Testing

/// The worker over a real LMDB store and a real PostgreSQL, on the planted graph.
@Suite(.serialized) struct AnalyticsWorkerTests {
    let planted = PlantedGraph()

    /// A store holding the planted events, and a configuration pointing the worker at it.
    private func setUp(databaseURL: String) throws -> (TemporaryStore, RelayConfiguration) {
        let temporary = try TemporaryStore()
        let outcomes = try planted.store(in: temporary.store)
        #expect(outcomes.filter { $0 == .stored }.count == planted.events.count - 1)
        #expect(outcomes.filter { $0 == .rejectedOlder }.count == 1)
        var configuration = RelayConfiguration()
        configuration.storage.path = temporary.path
        configuration.storage.mapSizeGB = 1
        configuration.storage.analyticsDatabaseURL = databaseURL
        configuration.analytics.worker.trustSeeds = planted.seeds.map(planted.hex)
        configuration.analytics.worker.trustThreshold = planted.threshold
        configuration.analytics.worker.communitiesMinSize = 10
        // Not the backend's priority: lowering it is refused to other users, and said once per process.
        configuration.analytics.worker.nice = 0
        return (temporary, configuration)
    }

    private func runPass(_ configuration: RelayConfiguration) throws -> PassReport {
        let logs = RecordedLogs()
        let report = try AnalyticsWorker(configuration: configuration, logger: logs.logger).runPass()
        #expect(report.succeeded, "\(report.jobs.compactMap(\.error))")
        #expect(
            report.jobs.map(\.name) == ["follower_counts", "trust", "bot_clusters", "spam_candidates", "communities"])
        // A clean pass says each step at info (details at debug) and nothing at warning or above.
        #expect(logs.all.filter { $0.level >= .warning } == [])
        for job in report.jobs.map(\.name) {
            #expect(logs.count(containing: "\(job) done in", at: .info) == 1, "\(logs.all)")
            #expect(logs.count(containing: "\(job) starting", at: .debug) == 1, "\(logs.all)")
        }
        #expect(logs.count(containing: "pass done in", at: .info) == 1)
        return report
    }

    /// `name` of each hex pubkey in the planted graph.
    private var names: [String: String] {
        Dictionary(uniqueKeysWithValues: planted.names.map { (planted.hex($0), $0) })
    }

    /// The planted name of the pubkey in `column` of `row`.
    private func name(_ row: PostgresRow, _ column: Int = 0) throws -> String {
        let hex = try row.string(column)
        guard let hex, let name = names[hex] else { throw TestFailure("not a planted pubkey: \(hex ?? "NULL")") }
        return name
    }

    @Test func countsFollowersFollowingAndMutesFromTheNewestListsOnly() async throws {
        try await TestDatabase.withSchema { url in
            let (temporary, configuration) = try setUp(databaseURL: url)
            defer { withExtendedLifetime(temporary) {} }
            let report = try runPass(configuration)
            #expect(report.graph.followLists == planted.names.count)
            #expect(report.graph.invalidTags == 2)
            #expect(report.graph.muteLists == 2)
            let database = try PostgresConnection(url: url)
            defer { database.close() }
            let rows = try database.execute("SELECT pubkey, followers, following, muted_by FROM follower_counts").rows
            #expect(rows.count == planted.names.count)
            for row in rows {
                let name = try name(row)
                #expect(try row.int(1) == planted.followers(of: name), "followers of \(name)")
                #expect(try row.int(2) == planted.follows[name, default: []].count, "following of \(name)")
                let muted = name == "R0" ? 2 : name == "R1" ? 1 : 0
                #expect(try row.int(3) == muted, "muted_by of \(name)")
            }
        }
    }

    @Test func trustGrowsFromTheSeedsByThreshold() async throws {
        try await TestDatabase.withSchema { url in
            let (temporary, configuration) = try setUp(databaseURL: url)
            defer { withExtendedLifetime(temporary) {} }
            _ = try runPass(configuration)
            let database = try PostgresConnection(url: url)
            defer { database.close() }
            let expected = planted.expectedTrusted()
            // The planted structure only works if propagation really adds pubkeys and stops at the ring.
            #expect(expected.count > planted.seeds.count + 20)
            #expect(expected["R0"] == nil)
            var found: [String: Int] = [:]
            for row in try database.execute("SELECT pubkey, source, round, trusted_followers FROM trusted_pubkeys").rows
            {
                let name = try name(row)
                found[name] = try row.int(2)
                #expect(try row.string(1) == (planted.seeds.contains(name) ? "seed" : "propagated"))
                #expect(try row.int(3) == planted.trustedFollowers(of: name, trusted: expected))
            }
            #expect(found == expected)
            let rankings = try database.execute(
                "SELECT count(*), sum(pagerank), min(pagerank_rank), max(pagerank_rank) FROM pubkey_rankings"
            ).rows[0]
            #expect(try rankings.int(0) == planted.names.count)
            #expect(abs(try #require(try rankings.double(1)) - 1) < 1e-6)
            #expect(try rankings.int(2) == 1)
            #expect(try rankings.int(3) == planted.names.count)
            let r0 = try database.execute(
                "SELECT trusted_followers FROM pubkey_rankings WHERE pubkey = $1", [.string(planted.hex("R0"))])
            #expect(try r0.rows[0].int(0) == 1)
        }
    }

    @Test func findsExactlyThePlantedBotRingAndItsSpamCandidates() async throws {
        try await TestDatabase.withSchema { url in
            let (temporary, configuration) = try setUp(databaseURL: url)
            defer { withExtendedLifetime(temporary) {} }
            let database = try PostgresConnection(url: url)
            defer { database.close() }
            try AnalyticsSchema.migrate(database)
            let requested = ["A6", "B6", "R2"]
            for name in requested {
                try database.execute(
                    "INSERT INTO req_pubkey_popularity VALUES ($1, 3, now())", [.string(planted.hex(name))])
            }
            _ = try runPass(configuration)
            let clusters = try database.execute(
                """
                SELECT cluster_id, size, internal_edges, external_edges, internal_density, external_ratio,
                    untrusted_members FROM bot_clusters
                """
            ).rows
            #expect(clusters.count == 1)
            let cluster = try #require(clusters.first)
            #expect(try cluster.int(0) == 1)
            #expect(try cluster.int(1) == 6)
            #expect(try cluster.int(2) == 30)
            #expect(try cluster.int(3) == 0)
            #expect(try cluster.double(4) == 1)
            #expect(try cluster.double(5) == 0)
            #expect(try cluster.int(6) == 6)
            let members = try database.execute("SELECT pubkey FROM bot_cluster_members WHERE cluster_id = 1").rows
            #expect(Set(try members.map { try name($0) }) == Set(PlantedGraph.ring))

            var candidates: [String: Set<String>] = [:]
            for row in try database.execute("SELECT pubkey, reason, cluster_id FROM spam_candidates").rows {
                let name = try name(row)
                let reason = try #require(try row.string(1))
                candidates[reason, default: []].insert(name)
                #expect(try row.int(2) == (reason == "bot_cluster" ? 1 : nil))
            }
            let trusted = planted.expectedTrusted()
            #expect(candidates["bot_cluster"] == Set(PlantedGraph.ring))
            let neverRequested = Set(planted.names.filter { trusted[$0] == nil && !requested.contains($0) })
            #expect(candidates["never_requested"] == neverRequested)
        }
    }

    @Test func recoversThePlantedCommunities() async throws {
        try await TestDatabase.withSchema { url in
            let (temporary, configuration) = try setUp(databaseURL: url)
            defer { withExtendedLifetime(temporary) {} }
            _ = try runPass(configuration)
            let database = try PostgresConnection(url: url)
            defer { database.close() }
            var members: [Int: Set<String>] = [:]
            for row in try database.execute(
                "SELECT community_id, pubkey, member_rank, followers FROM community_members"
            )
            .rows {
                members[try #require(try row.int(0)), default: []].insert(try name(row, 1))
            }
            #expect(members.count == 2, "\(members.mapValues { $0.sorted() })")
            let a = try #require(members.values.first { $0.contains("A0") })
            let b = try #require(members.values.first { $0.contains("B0") })
            #expect(
                a.isSuperset(of: PlantedGraph.communityA) && a.isDisjoint(with: PlantedGraph.communityB),
                "\(a.sorted()) \(b.sorted())")
            #expect(b.isSuperset(of: PlantedGraph.communityB) && b.isDisjoint(with: PlantedGraph.communityA))
            // Member rank 1 is the most followed member.
            let top = try database.execute(
                "SELECT community_id, pubkey, followers FROM community_members WHERE member_rank = 1"
            ).rows
            for row in top {
                let id = try #require(try row.int(0))
                let most = members[id]!.map { planted.followers(of: $0) }.max()
                #expect(try row.int(2) == most)
            }
            let edges = try database.execute("SELECT from_community, to_community, weight FROM community_edges").rows
            #expect(edges.count == 1)
            #expect(try edges.first?.int(2) == 3)
            let stats = try database.execute("SELECT communities_kept, modularity FROM community_stats").rows
            #expect(try stats.first?.int(0) == 2)
            #expect(try #require(try stats.first?.double(1)) > 0.3)
        }
    }

    @Test func aSecondPassWritesTheSameResults() async throws {
        try await TestDatabase.withSchema { url in
            let (temporary, configuration) = try setUp(databaseURL: url)
            defer { withExtendedLifetime(temporary) {} }
            let database = try PostgresConnection(url: url)
            defer { database.close() }
            let queries = [
                "SELECT pubkey, followers, following, muted_by FROM follower_counts ORDER BY pubkey",
                "SELECT pubkey, pagerank, pagerank_rank, trusted_followers FROM pubkey_rankings ORDER BY pubkey",
                "SELECT pubkey, source, round, trusted_followers FROM trusted_pubkeys ORDER BY pubkey",
                "SELECT cluster_id, size, internal_edges, external_edges FROM bot_clusters ORDER BY cluster_id",
                "SELECT cluster_id, pubkey, trusted FROM bot_cluster_members ORDER BY cluster_id, pubkey",
                "SELECT pubkey, reason, cluster_id, followers FROM spam_candidates ORDER BY pubkey, reason",
                "SELECT community_id, size, internal_edges, external_edges FROM communities ORDER BY community_id",
                "SELECT community_id, pubkey, followers, member_rank FROM community_members ORDER BY 1, 2",
                "SELECT from_community, to_community, weight FROM community_edges ORDER BY 1, 2",
            ]
            func snapshot() throws -> [[[String?]]] {
                try queries.map { query in
                    try database.execute(query).rows.map { row in try (0..<row.count).map { try row.string($0) } }
                }
            }
            _ = try runPass(configuration)
            let first = try snapshot()
            #expect(first.allSatisfy { !$0.isEmpty })
            _ = try runPass(configuration)
            #expect(try snapshot() == first)
            let runs = try database.execute("SELECT count(*) FROM analytics_job_runs WHERE succeeded").rows
            #expect(try runs[0].int(0) == 10)
        }
    }

    @Test func aFailingJobIsLoggedAsAnErrorAndThePassGoesOn() async throws {
        try await TestDatabase.withSchema { url in
            let (temporary, configuration) = try setUp(databaseURL: url)
            defer { withExtendedLifetime(temporary) {} }
            _ = try runPass(configuration)
            let database = try PostgresConnection(url: url)
            defer { database.close() }
            // The schema stays migrated; only the communities job's table is gone.
            try database.execute("DROP TABLE community_edges")
            let logs = RecordedLogs()
            let report = try AnalyticsWorker(configuration: configuration, logger: logs.logger).runPass()
            #expect(report.jobs.map { $0.error == nil } == [true, true, true, true, false])
            let failures = logs.all.filter { $0.level >= .warning }
            #expect(failures.map(\.level) == [.error, .warning], "\(failures)")
            #expect(failures.first?.message.hasPrefix("communities failed (its previous results stay): ") == true)
            #expect(failures.last?.message.hasPrefix("pass done in ") == true)
            #expect(failures.last?.message.hasSuffix(" with failures") == true)
            #expect(logs.count(containing: "spam_candidates done in", at: .info) == 1)
        }
    }
}
