/// The compact binary encodings of the directory's values: a flags byte for the optional and
/// boolean fields, then LEB128 varints (zigzag for signed numbers). A record of a relay that never
/// answered is about 20 bytes plus its error text, against ~300 as JSON: what keeps a directory of
/// 100,000 mostly dead relays small on disk.
enum DirectoryCodec {
    private enum RecordFlag {
        static let seed: UInt8 = 1
        static let lastAttempt: UInt8 = 2
        static let lastSuccess: UInt8 = 4
        static let negentropyKnown: UInt8 = 8
        static let negentropy: UInt8 = 16
        static let lastError: UInt8 = 32
    }

    /// A record's value (the url is the key, so it is not repeated).
    static func encode(_ record: RelayRecord) -> [UInt8] {
        var flags: UInt8 = 0
        if record.isSeed { flags |= RecordFlag.seed }
        if record.lastAttempt != nil { flags |= RecordFlag.lastAttempt }
        if record.lastSuccess != nil { flags |= RecordFlag.lastSuccess }
        if let negentropy = record.supportsNegentropy {
            flags |= RecordFlag.negentropyKnown | (negentropy ? RecordFlag.negentropy : 0)
        }
        if record.lastError != nil { flags |= RecordFlag.lastError }
        var writer = ByteWriter()
        writer.bytes.append(flags)
        writer.signed(record.firstSeen)
        writer.signed(Int64(record.listedBy))
        if let lastAttempt = record.lastAttempt { writer.signed(lastAttempt) }
        if let lastSuccess = record.lastSuccess { writer.signed(lastSuccess) }
        writer.signed(Int64(record.consecutiveFailures))
        writer.signed(record.nextAttempt)
        writer.signed(Int64(record.visits))
        writer.signed(Int64(record.failures))
        writer.signed(Int64(record.eventsContributed))
        writer.signed(record.bytesReceived)
        // Last, so it needs no length: the rest of the value is the text.
        if let error = record.lastError { writer.bytes.append(contentsOf: error.utf8) }
        return writer.bytes
    }

    /// The record of `url` stored as `bytes`, or nil when they do not decode.
    static func decodeRecord(url: String, _ bytes: UnsafeRawBufferPointer) -> RelayRecord? {
        var reader = ByteReader(bytes)
        guard let flags = reader.byte(), let firstSeen = reader.signed(), let listedBy = reader.signed() else {
            return nil
        }
        var record = RelayRecord(url: url, firstSeen: firstSeen, listedBy: Int(listedBy), nextAttempt: 0)
        record.isSeed = flags & RecordFlag.seed != 0
        if flags & RecordFlag.lastAttempt != 0 {
            guard let value = reader.signed() else { return nil }
            record.lastAttempt = value
        }
        if flags & RecordFlag.lastSuccess != 0 {
            guard let value = reader.signed() else { return nil }
            record.lastSuccess = value
        }
        guard let consecutive = reader.signed(), let next = reader.signed(), let visits = reader.signed(),
            let failures = reader.signed(), let events = reader.signed(), let received = reader.signed()
        else { return nil }
        record.consecutiveFailures = Int(consecutive)
        record.nextAttempt = next
        record.visits = Int(visits)
        record.failures = Int(failures)
        record.eventsContributed = Int(events)
        record.bytesReceived = received
        if flags & RecordFlag.negentropyKnown != 0 { record.supportsNegentropy = flags & RecordFlag.negentropy != 0 }
        if flags & RecordFlag.lastError != 0 { record.lastError = String(decoding: reader.rest, as: UTF8.self) }
        return record
    }

    /// A cursor's value.
    static func encode(_ cursor: SyncCursor) -> [UInt8] {
        var writer = ByteWriter()
        let flags: UInt8 =
            (cursor.backfillComplete ? 1 : 0) | (cursor.pagingUntil != nil ? 2 : 0) | (cursor.newestSeen != nil ? 4 : 0)
        writer.bytes.append(flags)
        if let until = cursor.pagingUntil { writer.signed(until) }
        if let newest = cursor.newestSeen { writer.signed(newest) }
        return writer.bytes
    }

    /// The cursor stored as `bytes`, or nil when they do not decode.
    static func decodeCursor(_ bytes: UnsafeRawBufferPointer) -> SyncCursor? {
        var reader = ByteReader(bytes)
        guard let flags = reader.byte() else { return nil }
        var cursor = SyncCursor(backfillComplete: flags & 1 != 0)
        if flags & 2 != 0 {
            guard let until = reader.signed() else { return nil }
            cursor.pagingUntil = until
        }
        if flags & 4 != 0 {
            guard let newest = reader.signed() else { return nil }
            cursor.newestSeen = newest
        }
        return cursor
    }

    /// An outbox state's value.
    static func encode(_ state: OutboxState) -> [UInt8] {
        var writer = ByteWriter()
        writer.bytes.append(state.since != nil ? 1 : 0)
        if let since = state.since { writer.signed(since) }
        writer.signed(Int64(state.misses))
        writer.signed(state.nextAttempt)
        return writer.bytes
    }

    /// The outbox state stored as `bytes`, or nil when they do not decode.
    static func decodeOutbox(_ bytes: UnsafeRawBufferPointer) -> OutboxState? {
        var reader = ByteReader(bytes)
        guard let flags = reader.byte() else { return nil }
        var state = OutboxState()
        if flags & 1 != 0 {
            guard let since = reader.signed() else { return nil }
            state.since = since
        }
        guard let misses = reader.signed(), let next = reader.signed() else { return nil }
        state.misses = Int(misses)
        state.nextAttempt = next
        return state
    }
}

/// Appends zigzag LEB128 varints.
private struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func signed(_ value: Int64) {
        var zigzag = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        while zigzag >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: zigzag) | 0x80)
            zigzag >>= 7
        }
        bytes.append(UInt8(zigzag))
    }
}

/// Reads what `ByteWriter` wrote; every read returns nil past the end or on a malformed varint.
private struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var rest: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[offset...]) }

    mutating func byte() -> UInt8? {
        guard offset < bytes.count else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func signed() -> Int64? {
        var zigzag: UInt64 = 0
        var shift: UInt64 = 0
        while let byte = byte() {
            guard shift < 64 else { return nil }
            zigzag |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1) }
            shift += 7
        }
        return nil
    }
}
