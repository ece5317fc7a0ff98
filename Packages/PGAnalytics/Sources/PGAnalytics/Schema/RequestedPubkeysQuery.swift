/// The pubkeys clients have asked for by `authors` (`req_pubkey_popularity`, written by the
/// relay's tracking), as the analytics worker reads them to find authors nobody asks for.
public enum RequestedPubkeysQuery {
    /// Hands every pubkey asked for at least once to `body` (streamed through a cursor); returns
    /// how many there were.
    @discardableResult
    public static func read(from connection: PostgresConnection, _ body: (_ pubkey: String) -> Void) throws -> Int {
        var rows = 0
        try connection.cursor("SELECT pubkey FROM req_pubkey_popularity WHERE total_requests > 0") { row in
            rows += 1
            if let pubkey = try row.string(0) { body(pubkey) }
            return true
        }
        return rows
    }
}
