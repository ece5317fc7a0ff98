/// One step of the analytics schema: applied once, in order, recorded in `schema_migrations`.
public struct AnalyticsMigration: Sendable {
    /// Applied in increasing order; never reused or edited once released.
    public let version: Int
    /// What it does, for `schema_migrations` and logs.
    public let name: String
    /// The statements, run one by one inside the migration's transaction.
    public let statements: [String]
}

/// Every migration of the analytics database, oldest first.
///
/// Conventions (DESIGN.md "PostgreSQL"): pubkeys and event ids are lowercase 64-hex `text`;
/// every counter and size is `bigint`; times are `timestamptz`, days `date`; names say what a
/// table holds. The relay writes the tracking tables; the analytics worker adds its own.
public enum AnalyticsMigrations {
    public static let all: [AnalyticsMigration] = [
        AnalyticsMigration(
            version: 1, name: "relay tracking tables",
            statements: [
                // How often each pubkey is asked for in REQ `authors`, in total and per kind.
                """
                CREATE TABLE req_pubkey_popularity (
                    pubkey text PRIMARY KEY,
                    total_requests bigint NOT NULL,
                    last_request timestamptz NOT NULL)
                """,
                "CREATE INDEX req_pubkey_popularity_total ON req_pubkey_popularity (total_requests DESC)",
                """
                CREATE TABLE req_pubkey_kind_popularity (
                    pubkey text NOT NULL,
                    kind integer NOT NULL,
                    request_count bigint NOT NULL,
                    PRIMARY KEY (pubkey, kind))
                """,
                // Pubkeys asked for together in one filter (pubkey_a < pubkey_b).
                """
                CREATE TABLE req_author_cooccurrence (
                    pubkey_a text NOT NULL,
                    pubkey_b text NOT NULL,
                    request_count bigint NOT NULL,
                    last_seen timestamptz NOT NULL,
                    PRIMARY KEY (pubkey_a, pubkey_b),
                    CHECK (pubkey_a < pubkey_b))
                """,
                "CREATE INDEX req_author_cooccurrence_count ON req_author_cooccurrence (request_count DESC)",
                "CREATE INDEX req_author_cooccurrence_last_seen ON req_author_cooccurrence (last_seen)",
                // Kinds asked for in REQs, in total and per day.
                """
                CREATE TABLE req_kind_totals (
                    kind integer PRIMARY KEY,
                    request_count bigint NOT NULL,
                    last_request timestamptz NOT NULL)
                """,
                """
                CREATE TABLE req_kind_daily (
                    day date NOT NULL,
                    kind integer NOT NULL,
                    request_count bigint NOT NULL,
                    PRIMARY KEY (day, kind))
                """,
                // Traffic per client IP: REQ/COUNT messages and events served.
                """
                CREATE TABLE ip_traffic_hourly (
                    hour timestamptz NOT NULL,
                    ip text NOT NULL,
                    request_count bigint NOT NULL,
                    events_served bigint NOT NULL,
                    PRIMARY KEY (hour, ip))
                """,
                """
                CREATE TABLE ip_traffic_daily (
                    day date NOT NULL,
                    ip text NOT NULL,
                    request_count bigint NOT NULL,
                    events_served bigint NOT NULL,
                    PRIMARY KEY (day, ip))
                """,
                // EVENTs refused because of their kind, by kind and author.
                """
                CREATE TABLE rejected_events (
                    kind integer NOT NULL,
                    pubkey text NOT NULL,
                    rejection_count bigint NOT NULL,
                    last_seen timestamptz NOT NULL,
                    PRIMARY KEY (kind, pubkey))
                """,
                "CREATE INDEX rejected_events_count ON rejected_events (rejection_count DESC)",
                // Kinds asked for in REQs that the relay does not hold.
                """
                CREATE TABLE rejected_req_kinds (
                    kind integer PRIMARY KEY,
                    request_count bigint NOT NULL,
                    last_seen timestamptz NOT NULL)
                """,
                // One row a day: the event store's size.
                """
                CREATE TABLE storage_snapshots_daily (
                    day date PRIMARY KEY,
                    store_bytes bigint NOT NULL,
                    event_count bigint NOT NULL,
                    recorded_at timestamptz NOT NULL)
                """,
                // Versions of replaceable events (kinds 0, 3, 10002 by default) that a newer one replaced.
                """
                CREATE TABLE event_history (
                    id text PRIMARY KEY,
                    pubkey text NOT NULL,
                    kind integer NOT NULL,
                    created_at bigint NOT NULL,
                    tags jsonb NOT NULL,
                    content text NOT NULL,
                    sig text NOT NULL,
                    archived_at timestamptz NOT NULL)
                """,
                "CREATE INDEX event_history_pubkey_kind ON event_history (pubkey, kind, created_at DESC)",
                "CREATE INDEX event_history_archived_at ON event_history (archived_at)",
            ]),
        workerResults,
        relayDirectory,
    ]
}
