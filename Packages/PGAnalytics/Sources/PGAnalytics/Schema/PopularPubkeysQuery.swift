/// The relay's read of the most-followed pubkeys (`follower_counts`, written by the analytics
/// worker), for the crawler's outbox sync of popular profiles (`profile_hydration.*`).
public enum PopularPubkeysQuery {
    /// The pubkeys with at least `minimumFollowers` followers, most followed first, at most `limit`.
    public static func read(
        from connection: PostgresConnection, minimumFollowers: Int, limit: Int
    ) throws -> [String] {
        var pubkeys: [String] = []
        try connection.cursor(
            "SELECT pubkey FROM follower_counts WHERE followers >= $1 ORDER BY followers DESC, pubkey LIMIT $2",
            [.int(minimumFollowers), .int(limit)]
        ) { row in
            if let pubkey = try row.string(0) { pubkeys.append(pubkey) }
            return true
        }
        return pubkeys
    }
}
