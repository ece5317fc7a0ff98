/// The relay's read of the analytics worker's trust results (`trusted_pubkeys` and
/// `pubkey_rankings`, created by migration 2): the SQL lives here, next to the tables' definitions.
public enum TrustResultsQuery {
    /// Reads, in one read-only snapshot, the trusted pubkeys (most trusted followers first, at
    /// most `limit`) and the pubkeys with at least `minimumTrustedFollowers` trusted followers with
    /// that count (most first, at most `limit`), handing each row to `trusted` and `followers`.
    public static func read(
        from connection: PostgresConnection, minimumTrustedFollowers: Int, limit: Int,
        trusted: (_ pubkey: String) -> Void, followers: (_ pubkey: String, _ trustedFollowers: Int) -> Void
    ) throws {
        try connection.transaction {
            try connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try connection.cursor(
                "SELECT pubkey FROM trusted_pubkeys ORDER BY trusted_followers DESC, pubkey LIMIT $1",
                [.int(limit)]
            ) { row in
                if let pubkey = try row.string(0) { trusted(pubkey) }
                return true
            }
            try connection.cursor(
                """
                SELECT pubkey, trusted_followers FROM pubkey_rankings WHERE trusted_followers >= $1
                ORDER BY trusted_followers DESC, pubkey LIMIT $2
                """,
                [.int(minimumTrustedFollowers), .int(limit)]
            ) { row in
                if let pubkey = try row.string(0), let count = try row.int(1) { followers(pubkey, count) }
                return true
            }
        }
    }
}
