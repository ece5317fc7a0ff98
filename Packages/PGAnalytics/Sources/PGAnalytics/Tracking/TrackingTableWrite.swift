/// How the sink writes one tracking table: the rows are copied into a temporary table shaped like
/// the target, then upserted from it with one `INSERT ... SELECT ... ON CONFLICT`.
///
/// COPY moves thousands of rows in one round trip where row-by-row upserts would take one each;
/// the upsert then merges them with what other flushes (and other relays) wrote before.
struct TrackingTableWrite {
    /// What happens when a row's key is already in the table.
    enum Conflict {
        /// Counters add up; times keep the latest of the two.
        case accumulate(counts: [String], latest: [String])
        /// The new row replaces the old one (a day's storage snapshot).
        case replace
        /// The row already written wins (`event_history`: an id is one immutable event).
        case ignore
    }

    let table: String
    let columns: [String]
    let key: [String]
    let conflict: Conflict

    /// Named apart from the target: the session's temporary schema is searched first, so a
    /// temporary table of the same name would hide the target from the INSERT.
    var stagingTable: String { "staged_\(table)" }

    /// Dropped at commit, and with the transaction when it fails, so nothing is left to clean up.
    var createStagingSQL: String { "CREATE TEMP TABLE \(stagingTable) (LIKE \(table)) ON COMMIT DROP" }

    var copySQL: String { "COPY \(stagingTable) (\(columns.joined(separator: ", "))) FROM STDIN" }

    /// Every column on the right of `SET` is qualified: an unqualified name there is ambiguous
    /// between the target and `EXCLUDED`, which is where the Go original broke.
    var upsertSQL: String {
        let update: String
        switch conflict {
        case .accumulate(let counts, let latest):
            let assignments =
                counts.map { "\($0) = target.\($0) + EXCLUDED.\($0)" }
                + latest.map { "\($0) = GREATEST(target.\($0), EXCLUDED.\($0))" }
            update = "DO UPDATE SET " + assignments.joined(separator: ", ")
        case .replace:
            let assignments = columns.filter { !key.contains($0) }.map { "\($0) = EXCLUDED.\($0)" }
            update = "DO UPDATE SET " + assignments.joined(separator: ", ")
        case .ignore:
            update = "DO NOTHING"
        }
        // Rows go in key order, so two flushes upserting overlapping keys lock them in the same
        // order and wait for each other instead of deadlocking.
        return """
            INSERT INTO \(table) AS target (\(columns.joined(separator: ", ")))
            SELECT \(columns.map { "staged.\($0)" }.joined(separator: ", ")) FROM \(stagingTable) AS staged
            ORDER BY \(key.map { "staged.\($0)" }.joined(separator: ", "))
            ON CONFLICT (\(key.joined(separator: ", "))) \(update)
            """
    }

    /// Stages and upserts `rows` (one value per column, in order) and returns how many rows the
    /// upsert inserted or updated. Must run inside a transaction: the staging table lives until
    /// its commit. Does nothing for no rows.
    func write(_ rows: some Collection<[PostgresValue]>, to connection: PostgresConnection) throws -> Int {
        guard !rows.isEmpty else { return 0 }
        try connection.execute(createStagingSQL)
        _ = try connection.copyIn(copySQL, rows: rows)
        return try connection.execute(upsertSQL).affectedRows
    }
}

extension TrackingTableWrite {
    static let pubkeyPopularity = TrackingTableWrite(
        table: "req_pubkey_popularity", columns: ["pubkey", "total_requests", "last_request"], key: ["pubkey"],
        conflict: .accumulate(counts: ["total_requests"], latest: ["last_request"]))
    static let pubkeyKindPopularity = TrackingTableWrite(
        table: "req_pubkey_kind_popularity", columns: ["pubkey", "kind", "request_count"], key: ["pubkey", "kind"],
        conflict: .accumulate(counts: ["request_count"], latest: []))
    static let authorCooccurrence = TrackingTableWrite(
        table: "req_author_cooccurrence", columns: ["pubkey_a", "pubkey_b", "request_count", "last_seen"],
        key: ["pubkey_a", "pubkey_b"], conflict: .accumulate(counts: ["request_count"], latest: ["last_seen"]))
    static let kindTotals = TrackingTableWrite(
        table: "req_kind_totals", columns: ["kind", "request_count", "last_request"], key: ["kind"],
        conflict: .accumulate(counts: ["request_count"], latest: ["last_request"]))
    static let kindDaily = TrackingTableWrite(
        table: "req_kind_daily", columns: ["day", "kind", "request_count"], key: ["day", "kind"],
        conflict: .accumulate(counts: ["request_count"], latest: []))
    static let ipTrafficHourly = TrackingTableWrite(
        table: "ip_traffic_hourly", columns: ["hour", "ip", "request_count", "events_served"], key: ["hour", "ip"],
        conflict: .accumulate(counts: ["request_count", "events_served"], latest: []))
    static let ipTrafficDaily = TrackingTableWrite(
        table: "ip_traffic_daily", columns: ["day", "ip", "request_count", "events_served"], key: ["day", "ip"],
        conflict: .accumulate(counts: ["request_count", "events_served"], latest: []))
    static let rejectedEvents = TrackingTableWrite(
        table: "rejected_events", columns: ["kind", "pubkey", "rejection_count", "last_seen"], key: ["kind", "pubkey"],
        conflict: .accumulate(counts: ["rejection_count"], latest: ["last_seen"]))
    static let rejectedRequestKinds = TrackingTableWrite(
        table: "rejected_req_kinds", columns: ["kind", "request_count", "last_seen"], key: ["kind"],
        conflict: .accumulate(counts: ["request_count"], latest: ["last_seen"]))
    static let storageSnapshots = TrackingTableWrite(
        table: "storage_snapshots_daily", columns: ["day", "store_bytes", "event_count", "recorded_at"],
        key: ["day"], conflict: .replace)
    static let eventHistory = TrackingTableWrite(
        table: "event_history",
        columns: ["id", "pubkey", "kind", "created_at", "tags", "content", "sig", "archived_at"], key: ["id"],
        conflict: .ignore)
    /// Whole rows from the crawler's directory: the latest replaces the table's (see
    /// `TrackingAggregates.writeRelayDirectory`, which also deletes removed URLs).
    static let relayDirectory = TrackingTableWrite(
        table: "relay_directory",
        columns: [
            "url", "first_seen", "listed_by", "is_seed", "last_attempt", "last_success", "consecutive_failures",
            "next_attempt", "visits", "failures", "events_contributed", "bytes_received", "supports_negentropy",
            "last_error", "updated_at",
        ], key: ["url"], conflict: .replace)
}
