import CLibPQ

/// A connection to PostgreSQL, on libpq's blocking calls.
///
/// Not thread-safe: use it from one thread at a time (callers run it on threads of their own, so
/// it never blocks a concurrency pool). It is `Sendable` so that it can be handed to such a thread.
/// Statements take parameters (`$1`, `$2`...) as values, never spliced into SQL text, and each call
/// runs exactly one statement.
public final class PostgresConnection: @unchecked Sendable {
    private var pointer: OpaquePointer?
    /// Numbers the cursors this connection declares, so nested ones get distinct names.
    var cursorCount = 0

    /// Connects to `url` (`postgresql://user@host:port/database?...` or `key=value` pairs) and sets
    /// the client encoding to UTF-8. A failure carries libpq's message, with the password blanked.
    public init(url: String) throws(PostgresError) {
        guard let connection = PQconnectdb(url) else {
            throw PostgresError(message: "libpq could not allocate a connection", connectionBad: true)
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let error = PostgresError.connection(connection, "connection failed")
            PQfinish(connection)
            throw PostgresError(
                message: PasswordRedaction.redact(error.message, connectionString: url), connectionBad: true)
        }
        if PQsetClientEncoding(connection, "UTF8") != 0 {
            let error = PostgresError.connection(connection, "could not set client_encoding to UTF8")
            PQfinish(connection)
            throw error
        }
        // libpq prints notices (`table ... does not exist, skipping`) to stderr, which is the
        // relay's log: drop them.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        pointer = connection
    }

    deinit { close() }

    /// Closes the connection; later calls throw. Closing again does nothing.
    public func close() {
        guard let connection = pointer else { return }
        PQfinish(connection)
        pointer = nil
    }

    /// Whether the connection is open and healthy. False after `close()` and after the server
    /// went away (which the next statement finds out).
    public var isConnected: Bool {
        guard let pointer else { return false }
        return PQstatus(pointer) == CONNECTION_OK
    }

    /// Whether the server is on this machine: reached through a unix socket or a loopback address.
    public var isLocalServer: Bool {
        guard let pointer, let host = PQhost(pointer).map({ String(cString: $0) }) else { return false }
        return host.hasPrefix("/") || host == "localhost" || host == "127.0.0.1" || host == "::1"
    }

    /// The process id of the server backend serving this connection (0 once closed), asked of
    /// libpq, not the server.
    public var backendProcessID: Int32 {
        guard let pointer else { return 0 }
        return PQbackendPID(pointer)
    }

    /// Whether a transaction is open (including one aborted by an error, awaiting its rollback).
    public var isInTransaction: Bool {
        guard let pointer else { return false }
        let status = PQtransactionStatus(pointer)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
    }

    /// Runs one statement with text-format parameters bound to `$1`, `$2`... and returns its
    /// result, copied out of libpq.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [PostgresValue] = []) throws(PostgresError) -> PostgresResult {
        let (connection, result) = try send(sql, parameters)
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PostgresResult(copying: result)
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            abandonCopy(connection, PQresultStatus(result))
            throw PostgresError(message: "execute cannot run COPY ... FROM STDIN / TO STDOUT: use copyIn")
        default:
            throw PostgresError(result: result, connection: connection)
        }
    }

    /// The open connection, or an error once closed.
    func open() throws(PostgresError) -> OpaquePointer {
        guard let pointer else { throw PostgresError.closed }
        return pointer
    }

    /// Sends one statement and returns libpq's result, whatever its status; the caller clears it.
    func send(_ sql: String, _ parameters: [PostgresValue]) throws(PostgresError) -> (OpaquePointer, OpaquePointer) {
        let connection = try open()
        if sql.utf8.contains(0) { throw PostgresError(message: "the SQL text contains a NUL character") }
        // Every parameter's text, NUL-terminated, in one buffer: one allocation, not one per value.
        var buffer: [UInt8] = []
        var offsets: [Int?] = []
        offsets.reserveCapacity(parameters.count)
        for (index, parameter) in parameters.enumerated() {
            if parameter == .null {
                offsets.append(nil)
                continue
            }
            offsets.append(buffer.count)
            do throws(PostgresError) {
                try parameter.appendText(to: &buffer)
            } catch {
                throw PostgresError(message: "parameter $\(index + 1): \(error.message)")
            }
            buffer.append(0)
        }
        guard let count = Int32(exactly: parameters.count) else {
            throw PostgresError(message: "too many parameters (\(parameters.count))")
        }
        let result = buffer.withUnsafeBufferPointer { bytes in
            let values: [UnsafePointer<CChar>?] = offsets.map { offset in
                offset.map { UnsafeRawPointer(bytes.baseAddress! + $0).assumingMemoryBound(to: CChar.self) }
            }
            // Untyped (nil types), text-format parameters; text-format results.
            return PQexecParams(connection, sql, count, nil, values, nil, nil, 0)
        }
        guard let result else { throw PostgresError.connection(connection, "libpq returned no result") }
        return (connection, result)
    }

    /// Ends a COPY that a statement started unasked, so the connection takes statements again.
    func abandonCopy(_ connection: OpaquePointer, _ status: ExecStatusType) {
        if status == PGRES_COPY_IN {
            PQputCopyEnd(connection, "COPY FROM STDIN is only supported through copyIn")
        } else {
            var data: UnsafeMutablePointer<CChar>?
            while PQgetCopyData(connection, &data, 0) > 0 {
                PQfreemem(data)
                data = nil
            }
        }
        while let result = PQgetResult(connection) { PQclear(result) }
    }
}
