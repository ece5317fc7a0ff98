extension AnalyticsMigrations {
    /// The analytics worker's results. Each job replaces its tables in one transaction, so readers
    /// always see one whole pass. The tables of a row per pubkey are replaced by loading a new copy
    /// and swapping it in (`PostgresConnection.swapRows`): grants on them do not survive a pass, so grant
    /// readers access through the schema's default privileges. Counts are over the follow graph:
    /// the newest kind 3 of each author (and kind 10000 for mutes), `p` values not 64-hex ignored.
    static let workerResults = AnalyticsMigration(
        version: 2, name: "analytics worker results",
        statements: [
            // Every pubkey of the follow graph (authors, followed or muted).
            """
            CREATE TABLE follower_counts (
                pubkey text PRIMARY KEY,
                followers bigint NOT NULL,
                following bigint NOT NULL,
                muted_by bigint NOT NULL,
                computed_at timestamptz NOT NULL)
            """,
            "CREATE INDEX follower_counts_followers ON follower_counts (followers DESC, pubkey)",
            "CREATE INDEX follower_counts_muted_by ON follower_counts (muted_by DESC, pubkey)",
            // PageRank over the follow graph (follower -> followed) and trusted followers, for everyone.
            """
            CREATE TABLE pubkey_rankings (
                pubkey text PRIMARY KEY,
                pagerank double precision NOT NULL,
                pagerank_rank bigint NOT NULL,
                trusted_followers bigint NOT NULL,
                computed_at timestamptz NOT NULL)
            """,
            "CREATE INDEX pubkey_rankings_rank ON pubkey_rankings (pagerank_rank)",
            "CREATE INDEX pubkey_rankings_trusted_followers ON pubkey_rankings (trusted_followers DESC)",
            // The trusted set: seeds, then pubkeys followed by at least trust_threshold trusted ones.
            """
            CREATE TABLE trusted_pubkeys (
                pubkey text PRIMARY KEY,
                source text NOT NULL CHECK (source IN ('seed', 'propagated')),
                round integer NOT NULL,
                trusted_followers bigint NOT NULL,
                trusted_at timestamptz NOT NULL)
            """,
            // Dense, inward-looking strongly connected components of the follow graph.
            """
            CREATE TABLE bot_clusters (
                cluster_id integer PRIMARY KEY,
                size bigint NOT NULL,
                internal_edges bigint NOT NULL,
                external_edges bigint NOT NULL,
                internal_density double precision NOT NULL,
                external_ratio double precision NOT NULL,
                untrusted_members bigint NOT NULL,
                detected_at timestamptz NOT NULL)
            """,
            """
            CREATE TABLE bot_cluster_members (
                cluster_id integer NOT NULL REFERENCES bot_clusters ON DELETE CASCADE,
                pubkey text NOT NULL,
                trusted boolean NOT NULL,
                PRIMARY KEY (cluster_id, pubkey))
            """,
            "CREATE INDEX bot_cluster_members_pubkey ON bot_cluster_members (pubkey)",
            // One row per pubkey and reason: 'bot_cluster' (untrusted member of a bot cluster) or
            // 'never_requested' (untrusted author no client ever asked for).
            """
            CREATE TABLE spam_candidates (
                pubkey text NOT NULL,
                reason text NOT NULL CHECK (reason IN ('bot_cluster', 'never_requested')),
                cluster_id integer,
                followers bigint NOT NULL,
                detected_at timestamptz NOT NULL,
                PRIMARY KEY (pubkey, reason))
            """,
            "CREATE INDEX spam_candidates_reason ON spam_candidates (reason)",
            // Louvain communities of the undirected follow graph, 0 = the largest kept.
            """
            CREATE TABLE communities (
                community_id integer PRIMARY KEY,
                size bigint NOT NULL,
                internal_edges bigint NOT NULL,
                external_edges bigint NOT NULL,
                internal_density double precision NOT NULL,
                external_ratio double precision NOT NULL,
                detected_at timestamptz NOT NULL)
            """,
            // Every member of a kept community; member_rank 1 is its most followed. (No foreign key:
            // the worker swaps in a freshly loaded copy of this table each pass.)
            """
            CREATE TABLE community_members (
                community_id integer NOT NULL,
                pubkey text NOT NULL,
                followers bigint NOT NULL,
                member_rank integer NOT NULL,
                PRIMARY KEY (community_id, pubkey))
            """,
            "CREATE INDEX community_members_rank ON community_members (community_id, member_rank)",
            "CREATE INDEX community_members_pubkey ON community_members (pubkey)",
            // Follows between two kept communities, both directions together (from < to).
            """
            CREATE TABLE community_edges (
                from_community integer NOT NULL REFERENCES communities ON DELETE CASCADE,
                to_community integer NOT NULL REFERENCES communities ON DELETE CASCADE,
                weight bigint NOT NULL,
                PRIMARY KEY (from_community, to_community),
                CHECK (from_community < to_community))
            """,
            // The last pass's graph and partition as a whole (one row).
            """
            CREATE TABLE community_stats (
                id integer PRIMARY KEY CHECK (id = 1),
                total_nodes bigint NOT NULL,
                total_edges bigint NOT NULL,
                communities_found bigint NOT NULL,
                communities_kept bigint NOT NULL,
                modularity double precision NOT NULL,
                levels integer NOT NULL,
                detected_at timestamptz NOT NULL)
            """,
            // Each job of each pass: when, how long, how much (kept 90 days).
            """
            CREATE TABLE analytics_job_runs (
                job text NOT NULL,
                started_at timestamptz NOT NULL,
                duration_ms bigint NOT NULL,
                succeeded boolean NOT NULL,
                details text NOT NULL,
                PRIMARY KEY (job, started_at))
            """,
        ])
}
