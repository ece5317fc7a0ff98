extension AnalyticsMigrations {
    /// The network crawler's directory of relays, mirrored from the relay's store (LMDB) through
    /// the tracking sink (`TrackingSink.recordRelayDirectory`) for the pages: one row per relay URL,
    /// replaced as a whole whenever the crawler changes it and deleted when it leaves the directory.
    ///
    /// No retention: the table mirrors the directory, which prunes itself, so rows go only when the
    /// crawler removes them (`AnalyticsRetention` leaves the table alone).
    static let relayDirectory = AnalyticsMigration(
        version: 3, name: "relay directory",
        statements: [
            // As the crawler keeps them: `listed_by` is how many relay lists (kind 10002) name the
            // relay, `next_attempt` when it means to visit again, the counters totals since
            // `first_seen`; `supports_negentropy` is null until a visit found out; `updated_at` is
            // when the sink recorded the row's latest version.
            """
            CREATE TABLE relay_directory (
                url text PRIMARY KEY,
                first_seen timestamptz NOT NULL,
                listed_by integer NOT NULL,
                is_seed boolean NOT NULL,
                last_attempt timestamptz,
                last_success timestamptz,
                consecutive_failures integer NOT NULL,
                next_attempt timestamptz NOT NULL,
                visits bigint NOT NULL,
                failures bigint NOT NULL,
                events_contributed bigint NOT NULL,
                bytes_received bigint NOT NULL,
                supports_negentropy boolean,
                last_error text,
                updated_at timestamptz NOT NULL DEFAULT now())
            """,
            // The pages list relays by how many relay lists name them.
            "CREATE INDEX relay_directory_listed_by ON relay_directory (listed_by DESC, url)",
        ])
}
