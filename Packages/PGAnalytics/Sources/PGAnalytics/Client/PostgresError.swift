import CLibPQ

/// A failure reported by PostgreSQL or libpq, or found while reading a result (a value that does
/// not convert, an unknown column).
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    /// The five-character SQLSTATE code (`23505`, `42P01`...), when the server sent one.
    public var sqlState: String?
    /// The primary, human-readable message.
    public var message: String
    /// The server's detail line (e.g. `Key (id)=(1) already exists.`), when it sent one.
    public var detail: String?
    /// The server's hint, when it sent one.
    public var hint: String?
    /// Whether the connection was unusable (`CONNECTION_BAD`) when the error was raised.
    public var connectionBad: Bool

    /// Creates an error; `connectionBad` says the connection can no longer be used.
    public init(
        message: String, sqlState: String? = nil, detail: String? = nil, hint: String? = nil,
        connectionBad: Bool = false
    ) {
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.connectionBad = connectionBad
    }

    /// The connection is gone (server restarted, backend terminated, network down): the caller
    /// must reconnect rather than retry on this connection.
    public var isConnectionFailure: Bool {
        guard let sqlState else { return connectionBad }
        // Class 08 is "connection exception"; 57P01-57P03 are the server shutting the session down.
        return connectionBad || sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(sqlState)
    }

    /// `PostgreSQL error 23505: duplicate key value violates unique constraint "..." (detail: ...)`.
    public var description: String {
        var text = sqlState.map { "PostgreSQL error \($0): " } ?? "PostgreSQL error: "
        text += message
        if let detail { text += " (detail: \(detail))" }
        return text
    }
}

extension PostgresError {
    /// The error a failed result carries. libpq's own failures (lost connection) have no
    /// diagnostic fields, only a result or connection message.
    init(result: OpaquePointer?, connection: OpaquePointer) {
        func field(_ code: UInt8) -> String? {
            guard let result, let value = PQresultErrorField(result, Int32(code)) else { return nil }
            return String(cString: value)
        }
        var message = field(UInt8(ascii: "M"))
        if message == nil, let result, let text = PQresultErrorMessage(result) {
            message = String(cString: text).trimmedOfTrailingWhitespace
        }
        if message?.isEmpty ?? true, let text = PQerrorMessage(connection) {
            message = String(cString: text).trimmedOfTrailingWhitespace
        }
        self.init(
            message: message.flatMap { $0.isEmpty ? nil : $0 } ?? "unknown error",
            sqlState: field(UInt8(ascii: "C")), detail: field(UInt8(ascii: "D")), hint: field(UInt8(ascii: "H")),
            connectionBad: PQstatus(connection) == CONNECTION_BAD)
    }

    /// The error libpq reports on the connection itself (no result to read it from).
    static func connection(_ connection: OpaquePointer, _ fallback: String) -> PostgresError {
        var message = PQerrorMessage(connection).map { String(cString: $0).trimmedOfTrailingWhitespace } ?? ""
        if message.isEmpty { message = fallback }
        return PostgresError(message: message, connectionBad: PQstatus(connection) == CONNECTION_BAD)
    }

    /// Using a connection after `close()`.
    static let closed = PostgresError(message: "the connection is closed", connectionBad: true)
}

extension String {
    /// libpq ends its messages with a newline (and sometimes tab-indented continuation lines).
    var trimmedOfTrailingWhitespace: String {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
