import CLibPQ

/// The outcome of one statement: its rows (copied out of libpq, so plain values that outlive the
/// connection) and how many rows it affected.
public struct PostgresResult: Sendable {
    /// The result columns' names, in order.
    public var columnNames: [String] { columns.names }
    /// The rows returned (none for commands such as `INSERT` without `RETURNING`).
    public let rows: [PostgresRow]
    /// How many rows were returned.
    public var rowCount: Int { rows.count }
    /// How many rows the command inserted, updated, deleted, copied, fetched or selected (libpq's
    /// `PQcmdTuples`); 0 for commands that report no count.
    public let affectedRows: Int

    private let columns: PostgresColumns

    /// Copies everything out of `result`, which the caller still owns and clears.
    init(copying result: OpaquePointer) {
        let columnCount = PQnfields(result)
        let columns = PostgresColumns(
            names: (0..<columnCount).map { String(cString: PQfname(result, $0)) })
        self.columns = columns
        rows = (0..<PQntuples(result)).map { row in
            let values: [String?] = (0..<columnCount).map { column in
                if PQgetisnull(result, row, column) != 0 { return nil }
                // The length saves a strlen over values that may be long (bytea, documents).
                let length = Int(PQgetlength(result, row, column))
                return PQgetvalue(result, row, column).withMemoryRebound(to: UInt8.self, capacity: length) {
                    String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
                }
            }
            return PostgresRow(columns: columns, values: values)
        }
        affectedRows = Int(String(cString: PQcmdTuples(result))) ?? 0
    }
}

/// Column names shared by every row of a result, with a name lookup built once.
final class PostgresColumns: Sendable {
    let names: [String]
    let indexByName: [String: Int]

    init(names: [String]) {
        self.names = names
        // `select 1 as a, 2 as a` is legal; like libpq's PQfnumber, a name means its first column.
        indexByName = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }
}
