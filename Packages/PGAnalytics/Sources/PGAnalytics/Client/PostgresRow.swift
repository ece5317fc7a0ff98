/// One result row: its values as PostgreSQL's text output, read by column index or name into
/// typed values. Each reader returns nil for SQL `NULL` and throws when the text does not convert,
/// naming the column, so a schema mismatch is caught rather than read as NULL.
public struct PostgresRow: Sendable {
    let columns: PostgresColumns
    let values: [String?]

    /// The columns' names, in order.
    public var columnNames: [String] { columns.names }
    /// How many columns the row has.
    public var count: Int { values.count }

    /// The column's text, or nil for NULL.
    public func string(_ column: Int) throws(PostgresError) -> String? { try text(column) }
    /// The named column's text, or nil for NULL.
    public func string(_ column: String) throws(PostgresError) -> String? { try text(index(of: column)) }

    /// The column as a 64-bit integer, or nil for NULL.
    public func int64(_ column: Int) throws(PostgresError) -> Int64? {
        try decode(column, as: "an int64") { Int64($0) }
    }
    /// The named column as a 64-bit integer, or nil for NULL.
    public func int64(_ column: String) throws(PostgresError) -> Int64? { try int64(index(of: column)) }

    /// The column as an `Int`, or nil for NULL.
    public func int(_ column: Int) throws(PostgresError) -> Int? { try decode(column, as: "an Int") { Int($0) } }
    /// The named column as an `Int`, or nil for NULL.
    public func int(_ column: String) throws(PostgresError) -> Int? { try int(index(of: column)) }

    /// The column as a double (`NaN`, `Infinity` and `-Infinity` included), or nil for NULL.
    public func double(_ column: Int) throws(PostgresError) -> Double? {
        try decode(column, as: "a double") { text in
            switch text {
            case "NaN": .nan
            case "Infinity": .infinity
            case "-Infinity": -.infinity
            default: Double(text)
            }
        }
    }
    /// The named column as a double, or nil for NULL.
    public func double(_ column: String) throws(PostgresError) -> Double? { try double(index(of: column)) }

    /// The column as a boolean (PostgreSQL's `t` or `f`), or nil for NULL.
    public func bool(_ column: Int) throws(PostgresError) -> Bool? {
        try decode(column, as: "a boolean (t or f)") { text in
            switch text {
            case "t": true
            case "f": false
            default: nil
            }
        }
    }
    /// The named column as a boolean, or nil for NULL.
    public func bool(_ column: String) throws(PostgresError) -> Bool? { try bool(index(of: column)) }

    /// The column as bytes, read from bytea's `\x` hex output, or nil for NULL.
    public func bytes(_ column: Int) throws(PostgresError) -> [UInt8]? {
        try decode(column, as: "bytea hex (\\x...)", decodeByteaHex)
    }
    /// The named column as bytes, or nil for NULL.
    public func bytes(_ column: String) throws(PostgresError) -> [UInt8]? { try bytes(index(of: column)) }

    private func index(of name: String) throws(PostgresError) -> Int {
        guard let index = columns.indexByName[name] else {
            throw PostgresError(
                message: "no column named \"\(name)\" (columns: \(columns.names.joined(separator: ", ")))")
        }
        return index
    }

    private func text(_ index: Int) throws(PostgresError) -> String? {
        guard values.indices.contains(index) else {
            throw PostgresError(message: "no column #\(index): the row has \(values.count) columns")
        }
        return values[index]
    }

    private func decode<T>(_ index: Int, as type: String, _ convert: (String) -> T?) throws(PostgresError) -> T? {
        guard let text = try text(index) else { return nil }
        guard let value = convert(text) else {
            // Long values (documents, bytea) would drown the message: quote only their start.
            let shown = text.count > 40 ? text.prefix(40) + "..." : Substring(text)
            throw PostgresError(
                message: "column \"\(columns.names[index])\" (#\(index)): \"\(shown)\" is not \(type)")
        }
        return value
    }
}
