extension PostgresConnection {
    /// Streams the rows of `sql` to `body` through a server-side cursor, `batchSize` rows per
    /// round trip, so memory stays bounded whatever the result's size. `body` returns false to stop
    /// early.
    ///
    /// A cursor lives in a transaction: this opens one (`BEGIN` ... `COMMIT`), or, inside
    /// `transaction`, a savepoint, so that a failure here leaves the outer transaction usable.
    /// Errors from the query or from `body` roll that back and are rethrown.
    public func cursor(
        _ sql: String, _ parameters: [PostgresValue] = [], batchSize: Int = 10_000,
        _ body: (PostgresRow) throws -> Bool
    ) throws {
        precondition(batchSize > 0, "batchSize must be positive")
        cursorCount += 1
        // Numbered, so that a cursor opened inside another's body does not collide with it.
        let name = "purplepages_cursor_\(cursorCount)"
        try transaction {
            try execute("DECLARE \(name) NO SCROLL CURSOR FOR \(sql)", parameters)
            fetching: while true {
                let batch = try execute("FETCH FORWARD \(batchSize) FROM \(name)")
                for row in batch.rows {
                    guard try body(row) else { break fetching }
                }
                // A short batch is the last: saves a round trip for an empty one.
                if batch.rowCount < batchSize { break }
            }
            try execute("CLOSE \(name)")
        }
    }
}
