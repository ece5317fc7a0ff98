import CLibPQ

extension PostgresConnection {
    /// Runs `body` in a transaction: commits when it returns, rolls back and rethrows its error
    /// when it throws.
    ///
    /// Nested inside another transaction it uses a savepoint, so an inner failure undoes only the
    /// inner work. If `body` caught an SQL error itself, PostgreSQL has already aborted the
    /// transaction: it is rolled back and this throws, rather than report a commit that did not happen.
    @discardableResult
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        let nested = isInTransaction
        try execute(nested ? "SAVEPOINT purplepages_nested" : "BEGIN")
        let value: T
        do {
            value = try body()
        } catch {
            // The body's error says more than a failing rollback (a lost connection shows up next time).
            try? rollback(nested: nested)
            throw error
        }
        if let connection = try? open(), PQtransactionStatus(connection) == PQTRANS_INERROR {
            try? rollback(nested: nested)
            throw PostgresError(
                message: "the transaction was aborted by an SQL error that its body caught, and rolled back")
        }
        try execute(nested ? "RELEASE SAVEPOINT purplepages_nested" : "COMMIT")
        return value
    }

    private func rollback(nested: Bool) throws(PostgresError) {
        if nested {
            // Rolling back to a savepoint keeps it; release it so the names stay balanced.
            try execute("ROLLBACK TO SAVEPOINT purplepages_nested")
            try execute("RELEASE SAVEPOINT purplepages_nested")
        } else {
            try execute("ROLLBACK")
        }
    }
}
