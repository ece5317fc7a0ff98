extension TrackingSink {
    /// Writes everything held to the tracking tables on `connection`, in one transaction, and
    /// reports the rows written per table.
    ///
    /// What is held is swapped out first, so recorders carry on into fresh aggregates while this
    /// waits on PostgreSQL. Counters add to the rows already there and times keep the latest, so
    /// flushes (and relays sharing the database) add up; relay directory rows replace theirs, and
    /// removed URLs are deleted. If the write fails (server down, backend killed, schema missing),
    /// nothing of it is committed and the batch is merged back into the sink, to be written by a
    /// later flush; keys that no longer fit within `limits.maxKeys` (and relay directory URLs past
    /// `limits.maxRelayDirectoryRows`) are dropped and counted. Then the error is rethrown.
    ///
    /// Blocks on libpq: call it from a thread of its own, never from the Swift concurrency pool.
    @discardableResult
    public func flush(to connection: PostgresConnection) throws -> FlushReport {
        var batch = state.withLock { $0.takePending() }
        guard !batch.isEmpty else {
            state.withLock { $0.lastFlushError = nil }
            return FlushReport()
        }
        do {
            let written = try connection.transaction { try batch.write(to: connection) }
            state.withLock {
                $0.droppedHistory += written.unstorableHistory
                $0.lastFlushError = nil
            }
            return written.report
        } catch {
            state.withLock {
                $0.restore(&batch)
                $0.flushFailures += 1
                $0.lastFlushError = String(describing: error)
            }
            throw error
        }
    }
}
