import Foundation

extension PostgresConnection {
    /// Deletes every row of `table`. Inside a transaction, readers see the old rows until it commits.
    public func deleteRows(of table: ResultTableLayout) throws {
        try execute("DELETE FROM \(table.name)")
    }

    /// COPYs `rows` into `table`; returns the rows copied.
    public func appendRows(to table: ResultTableLayout, _ rows: some Sequence<[PostgresValue]>) throws -> Int {
        try copyIn(table.copyStatement(), rows: rows)
    }

    /// Deletes every row of `table`, then COPYs `rows` in; returns the rows copied. For small
    /// tables, and tables other tables reference. Inside a transaction, readers see the old rows
    /// until it commits, then only the new.
    public func replaceRows(of table: ResultTableLayout, with rows: some Sequence<[PostgresValue]>) throws -> Int {
        try deleteRows(of: table)
        return try appendRows(to: table, rows)
    }

    /// Loads `rows` into a new copy of `table` (same columns, defaults and checks), builds the old
    /// table's indexes on it once loaded, and swaps it in for the old one; returns the rows copied.
    /// For tables of a row per pubkey: a bulk load then a sorted index build is many times faster
    /// than updating the indexes row by row (and leaves no dead rows to vacuum). Grants on the
    /// table do not survive the swap.
    public func swapRows(of table: ResultTableLayout, with rows: some Sequence<[PostgresValue]>) throws -> Int {
        let name = table.name
        let fresh = "pp_new_\(name)"
        let indexes = try execute(
            """
            SELECT i.indexname, i.indexdef, c.contype = 'p' FROM pg_indexes i
            LEFT JOIN pg_constraint c ON c.conname = i.indexname
                AND c.connamespace = (SELECT oid FROM pg_namespace WHERE nspname = i.schemaname)
            WHERE i.schemaname = current_schema() AND i.tablename = $1
            """, [.string(name)]
        ).rows.map { row in
            (name: try row.string(0) ?? "", definition: try row.string(1) ?? "", isPrimaryKey: try row.bool(2) ?? false)
        }
        try execute("DROP TABLE IF EXISTS \(fresh)")
        try execute("CREATE TABLE \(fresh) (LIKE \(name) INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        let copied = try copyIn(table.copyStatement(into: fresh), rows: rows)
        for index in indexes {
            // "CREATE [UNIQUE] INDEX name ON schema.table USING method (columns)"
            guard let on = index.definition.range(of: " ON "),
                let using = index.definition.range(of: " USING ", range: on.upperBound..<index.definition.endIndex)
            else { throw PostgresError(message: "unexpected index definition: \(index.definition)") }
            let unique = index.definition.hasPrefix("CREATE UNIQUE") ? "UNIQUE " : ""
            let method = index.definition[using.upperBound...]
            try execute("CREATE \(unique)INDEX pp_new_\(index.name) ON \(fresh) USING \(method)")
        }
        try execute("DROP TABLE \(name)")
        try execute("ALTER TABLE \(fresh) RENAME TO \(name)")
        for index in indexes {
            if index.isPrimaryKey {
                try execute(
                    "ALTER TABLE \(name) ADD CONSTRAINT \(index.name) PRIMARY KEY USING INDEX pp_new_\(index.name)")
            } else {
                try execute("ALTER INDEX pp_new_\(index.name) RENAME TO \(index.name)")
            }
        }
        return copied
    }
}
