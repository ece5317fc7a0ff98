import CLibPQ

extension PostgresConnection {
    /// How much row text to gather before handing it to libpq: large enough to amortise the calls,
    /// small enough to keep memory flat.
    static let copyChunkSize = 64 * 1024

    /// Bulk-loads `rows` with `sql`, a `COPY table (columns) FROM STDIN` in text format, and returns
    /// how many rows the server copied. Each row gives one value per column, in order.
    ///
    /// Rows stream in chunks of about 64 KiB. If a value cannot be sent (a string with a NUL), the
    /// COPY is cancelled, so nothing of it is kept.
    public func copyIn(_ sql: String, rows: some Sequence<[PostgresValue]>) throws(PostgresError) -> Int {
        let (connection, start) = try send(sql, [])
        let status = PQresultStatus(start)
        defer { PQclear(start) }
        guard status == PGRES_COPY_IN else {
            switch status {
            case PGRES_COPY_OUT, PGRES_COPY_BOTH: abandonCopy(connection, status)
            case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY: break
            default: throw PostgresError(result: start, connection: connection)
            }
            throw PostgresError(message: "copyIn needs a COPY ... FROM STDIN statement")
        }

        var buffer: [UInt8] = []
        buffer.reserveCapacity(Self.copyChunkSize + 4096)
        for (rowIndex, row) in rows.enumerated() {
            for (columnIndex, value) in row.enumerated() {
                if columnIndex > 0 { buffer.append(UInt8(ascii: "\t")) }
                do throws(PostgresError) {
                    try value.appendCopyField(to: &buffer)
                } catch {
                    let message = "COPY row \(rowIndex + 1), value \(columnIndex + 1): \(error.message)"
                    PQputCopyEnd(connection, message)
                    _ = finishCopy(connection)
                    throw PostgresError(message: message)
                }
            }
            buffer.append(UInt8(ascii: "\n"))
            if buffer.count >= Self.copyChunkSize {
                try putCopyData(connection, buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        if !buffer.isEmpty { try putCopyData(connection, buffer) }
        if PQputCopyEnd(connection, nil) != 1 {
            throw finishCopy(connection).failure ?? .connection(connection, "PQputCopyEnd failed")
        }
        let outcome = finishCopy(connection)
        if let failure = outcome.failure { throw failure }
        return outcome.rowCount
    }

    private func putCopyData(_ connection: OpaquePointer, _ buffer: [UInt8]) throws(PostgresError) {
        let sent = buffer.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { PQputCopyData(connection, $0.baseAddress, Int32(bytes.count)) }
        }
        if sent != 1 {
            // The server may have rejected the data already; its error explains more than libpq's.
            let error = PostgresError.connection(connection, "PQputCopyData failed")
            throw finishCopy(connection).failure ?? error
        }
    }

    /// Reads every result left after the copy data, so the connection takes statements again;
    /// returns the first error, or the count the server reported.
    private func finishCopy(_ connection: OpaquePointer) -> (rowCount: Int, failure: PostgresError?) {
        var rowCount = 0
        var failure: PostgresError?
        while let result = PQgetResult(connection) {
            defer { PQclear(result) }
            let status = PQresultStatus(result)
            if status == PGRES_COMMAND_OK {
                rowCount = Int(String(cString: PQcmdTuples(result))) ?? 0
            } else if status == PGRES_COPY_IN {
                // Still copying after a failed put (the connection broke): nothing more will come.
                PQputCopyEnd(connection, "copy abandoned")
            } else if failure == nil {
                failure = PostgresError(result: result, connection: connection)
            }
        }
        return (rowCount, failure)
    }
}
