import Foundation

extension TrackingAggregates {
    /// Writes every table, always in the same order (so concurrent flushes take their locks in
    /// the same order), and reports the rows written. Must run inside a transaction.
    ///
    /// Archived events PostgreSQL cannot store are left out and counted in `unstorableHistory`
    /// rather than sent: one of them would fail the whole flush, every time it is retried.
    func write(to connection: PostgresConnection) throws -> (report: FlushReport, unstorableHistory: Int) {
        var rows: [String: Int] = [:]
        func write(_ table: TrackingTableWrite, _ values: some Collection<[PostgresValue]>) throws {
            guard !values.isEmpty else { return }
            rows[table.table] = try table.write(values, to: connection)
        }
        try write(
            .pubkeyPopularity,
            pubkeyPopularity.lazy.map { [.string($0.key), .int64($0.value.count), timestamp($0.value.latest)] })
        try write(
            .pubkeyKindPopularity,
            pubkeyKindPopularity.lazy.map { [.string($0.key.pubkey), .int($0.key.kind), .int64($0.value)] })
        try write(
            .authorCooccurrence,
            authorCooccurrence.lazy.map {
                [.string($0.key.a), .string($0.key.b), .int64($0.value.count), timestamp($0.value.latest)]
            })
        try write(
            .kindTotals, kindTotals.lazy.map { [.int($0.key), .int64($0.value.count), timestamp($0.value.latest)] })
        try write(.kindDaily, kindDaily.lazy.map { [date($0.key.day), .int($0.key.kind), .int64($0.value)] })
        try write(
            .ipTrafficHourly,
            ipTrafficHourly.lazy.map {
                [
                    timestamp($0.key.bucket * 1_000_000), .string($0.key.ip), .int64($0.value.requests),
                    .int64($0.value.eventsServed),
                ]
            })
        try write(
            .ipTrafficDaily,
            ipTrafficDaily.lazy.map {
                [date($0.key.bucket), .string($0.key.ip), .int64($0.value.requests), .int64($0.value.eventsServed)]
            })
        try write(
            .rejectedEvents,
            rejectedEvents.lazy.map {
                [.int($0.key.kind), .string($0.key.pubkey), .int64($0.value.count), timestamp($0.value.latest)]
            })
        try write(
            .rejectedRequestKinds,
            rejectedRequestKinds.lazy.map { [.int($0.key), .int64($0.value.count), timestamp($0.value.latest)] })
        try write(
            .storageSnapshots,
            storageSnapshots.lazy.map {
                [
                    date($0.key), .int64($0.value.storeBytes), .int64($0.value.eventCount),
                    timestamp($0.value.recordedAt),
                ]
            })
        let storable = eventHistory.filter(Self.isStorable)
        try write(
            .eventHistory,
            storable.lazy.map {
                [
                    .string($0.id), .string($0.pubkey), .int($0.kind), .int64($0.createdAt), .string($0.tagsJSON),
                    .string($0.content), .string($0.sig), timestamp(TrackingTime($0.archivedAt).microseconds),
                ]
            })
        if !relayDirectory.isEmpty {
            rows[TrackingTableWrite.relayDirectory.table] = try writeRelayDirectory(to: connection)
        }
        return (FlushReport(rowsByTable: rows), eventHistory.count - storable.count)
    }

    /// Whether PostgreSQL can hold the event: `text` cannot hold U+0000, and `jsonb` refuses its
    /// `\u0000` escape, which Nostr's JSON allows.
    static func isStorable(_ event: ArchivedEvent) -> Bool {
        let strings = [event.id, event.pubkey, event.content, event.sig, event.tagsJSON]
        return !strings.contains { $0.utf8.contains(0) } && !escapesNUL(event.tagsJSON)
    }

    /// Whether the JSON text holds a `\u0000` escape (a `\\u0000`, an escaped backslash, does not count).
    static func escapesNUL(_ json: String) -> Bool {
        let bytes = Array(json.utf8)
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "\\") else {
                index += 1
                continue
            }
            if index + 5 < bytes.count, bytes[index + 1] == UInt8(ascii: "u"),
                bytes[(index + 2)...(index + 5)].allSatisfy({ $0 == UInt8(ascii: "0") })
            {
                return true
            }
            // Skip the escaped character, so the second backslash of `\\` starts nothing.
            index += 2
        }
        return false
    }
}

private func timestamp(_ microseconds: Int64) -> PostgresValue {
    .string(TrackingTime.timestampText(microseconds: microseconds))
}

private func date(_ day: Int64) -> PostgresValue {
    .string(TrackingTime.dateText(day: day))
}
