/// The reconciliation algorithm both roles share, following the reference implementation
/// (hoytech/negentropy, `cpp/negentropy.h`) step for step so that the bytes interoperate.
struct NegentropyReconciler: Sendable {
    /// The protocol version byte this implementation speaks (version 1).
    static let protocolVersion: UInt8 = 0x61
    /// Ranges with fewer items than twice this are sent as id lists; larger ones split in this many.
    static let buckets = 16
    /// The room kept under the frame size limit for the closing fingerprint.
    static let frameSizeMargin = 200

    let storage: NegentropyStorage
    let frameSizeLimit: Int
    let isInitiator: Bool
    private var timestamps = NegentropyTimestampCoder()
    /// The ids of the peer's id list being matched (initiator only), kept to reuse their storage.
    private var theirIDs: Set<Bytes32> = []
    private var theirIDOrder: [Bytes32] = []
    /// The ids already reported as have or need (initiator with a frame size limit only). Under a
    /// limit the reference algorithm can send a range's ids again in a later round, so the same id
    /// would otherwise be reported twice.
    private var reportedIDs: Set<Bytes32> = []

    init(storage: NegentropyStorage, frameSizeLimit: Int, isInitiator: Bool) throws(NegentropyError) {
        guard frameSizeLimit == 0 || frameSizeLimit >= 4096 else { throw .frameSizeLimitTooSmall(frameSizeLimit) }
        self.storage = storage
        self.frameSizeLimit = frameSizeLimit
        self.isInitiator = isInitiator
    }

    /// The first message: the version byte and the whole set split into ranges.
    mutating func initialMessage() -> [UInt8] {
        timestamps.reset()
        var output: [UInt8] = [Self.protocolVersion]
        splitRange(0..<storage.count, upperBound: .infinity, into: &output)
        return output
    }

    private func exceedsFrameSizeLimit(_ size: Int) -> Bool {
        frameSizeLimit != 0 && size > frameSizeLimit - Self.frameSizeMargin
    }

    /// Answers `message`; the initiator also collects the ids only it has and only the peer has.
    mutating func reconcile(
        _ message: [UInt8], have: inout [EventID], need: inout [EventID]
    ) throws(NegentropyError)
        -> [UInt8]
    {
        var output: [UInt8] = [Self.protocolVersion]
        do {
            try message.withUnsafeBytes { bytes in
                try reconcile(bytes, into: &output, have: &have, need: &need)
            }
        } catch let error as NegentropyError {
            throw error
        } catch {
            preconditionFailure("unreachable: \(error)")
        }
        return output
    }

    private mutating func reconcile(
        _ bytes: UnsafeRawBufferPointer, into output: inout [UInt8], have: inout [EventID], need: inout [EventID]
    ) throws(NegentropyError) {
        timestamps.reset()
        guard let version = bytes.first, (0x60...0x6F).contains(version) else {
            throw .invalidProtocolVersion(bytes.first)
        }
        guard version == Self.protocolVersion else {
            // A responder answers with the version it speaks so the initiator can fall back.
            if isInitiator { throw .unsupportedProtocolVersion(version) }
            return
        }
        var offset = 1
        let storageSize = storage.count
        var previousBound = NegentropyBound(createdAt: 0)
        var previousIndex = 0
        var skip = false

        while offset < bytes.count {
            // Everything from here on belongs to this range and is dropped if it overflows the frame.
            var committed = output.count
            let bound = try timestamps.decode(bytes, at: &offset)
            guard !bound.isBelow(previousBound) else { throw .boundOutOfOrder }
            let rawMode = try NegentropyVarint.decode(bytes, at: &offset)
            guard let mode = NegentropyMode(rawValue: rawMode) else { throw .unexpectedMode(rawMode) }

            let lower = previousIndex
            var upper = storage.lowerBound(of: bound, in: previousIndex..<storageSize)

            switch mode {
            case .skip:
                skip = true
            case .fingerprint:
                let theirs = try NegentropyFingerprint.decode(bytes, at: &offset)
                if theirs != storage.fingerprint(lower..<upper) {
                    flushSkip(&skip, previousBound, into: &output)
                    splitRange(lower..<upper, upperBound: bound, into: &output)
                } else {
                    skip = true
                }
            case .idList:
                let count = try NegentropyVarint.decode(bytes, at: &offset)
                guard UInt64(bytes.count - offset) / 32 >= count else { throw .truncatedMessage }
                let idsStart = offset
                offset += Int(count) * 32
                if isInitiator {
                    skip = true
                    matchIDList(
                        bytes, from: idsStart, count: Int(count), range: lower..<upper, have: &have, need: &need)
                } else {
                    // Send our ids in the range, as many as fit under the frame size limit; if they do
                    // not all fit, the list ends at the first one left out and the rest is fingerprinted.
                    var endBound = bound
                    var end = lower
                    while end < upper {
                        if exceedsFrameSizeLimit(committed + (end - lower) * 32) {
                            endBound = NegentropyBound(storage.items[end])
                            break
                        }
                        end += 1
                    }
                    upper = end
                    flushSkip(&skip, previousBound, into: &output)
                    timestamps.encode(endBound, into: &output)
                    NegentropyVarint.encode(NegentropyMode.idList.rawValue, into: &output)
                    NegentropyVarint.encode(UInt64(end - lower), into: &output)
                    for index in lower..<end {
                        storage.items[index].id.raw.withUnsafeBytes { output.append(contentsOf: $0) }
                    }
                    committed = output.count
                }
            }

            if exceedsFrameSizeLimit(output.count) {
                // Stop and close with one fingerprint up to infinity. As in the reference it covers our
                // items from `upper` on, so unless it matches the peer splits what remains again.
                output.removeSubrange(committed...)
                timestamps.encode(.infinity, into: &output)
                NegentropyVarint.encode(NegentropyMode.fingerprint.rawValue, into: &output)
                storage.fingerprint(upper..<storageSize).encode(into: &output)
                break
            }
            previousIndex = upper
            previousBound = bound
        }
    }

    /// Writes the pending Skip range ending at `bound`, if there is one.
    private mutating func flushSkip(_ skip: inout Bool, _ bound: NegentropyBound, into output: inout [UInt8]) {
        guard skip else { return }
        skip = false
        timestamps.encode(bound, into: &output)
        NegentropyVarint.encode(NegentropyMode.skip.rawValue, into: &output)
    }

    /// Compares the peer's id list with our items in `range`: ours not in it are `have`, its ids
    /// not among ours are `need` (in the order the peer sent them).
    private mutating func matchIDList(
        _ bytes: UnsafeRawBufferPointer, from start: Int, count: Int, range: Range<Int>,
        have: inout [EventID], need: inout [EventID]
    ) {
        theirIDs.removeAll(keepingCapacity: true)
        theirIDOrder.removeAll(keepingCapacity: true)
        for index in 0..<count {
            let id = Bytes32(loadingFrom: bytes.baseAddress! + start + index * 32)
            theirIDs.insert(id)
            theirIDOrder.append(id)
        }
        let deduplicate = frameSizeLimit != 0
        for index in range {
            let id = storage.items[index].id
            if theirIDs.remove(id.raw) == nil && (!deduplicate || reportedIDs.insert(id.raw).inserted) {
                have.append(id)
            }
        }
        for id in theirIDOrder where theirIDs.remove(id) != nil {
            if !deduplicate || reportedIDs.insert(id).inserted { need.append(EventID(id)) }
        }
    }

    /// Describes `range` of our items: as an id list when small, otherwise as sixteen fingerprinted
    /// buckets whose bounds are the minimal ones between neighbouring items.
    private mutating func splitRange(_ range: Range<Int>, upperBound: NegentropyBound, into output: inout [UInt8]) {
        let count = range.count
        if count < Self.buckets * 2 {
            timestamps.encode(upperBound, into: &output)
            NegentropyVarint.encode(NegentropyMode.idList.rawValue, into: &output)
            NegentropyVarint.encode(UInt64(count), into: &output)
            for index in range {
                storage.items[index].id.raw.withUnsafeBytes { output.append(contentsOf: $0) }
            }
            return
        }
        let perBucket = count / Self.buckets
        let withExtra = count % Self.buckets
        var current = range.lowerBound
        for bucket in 0..<Self.buckets {
            let size = perBucket + (bucket < withExtra ? 1 : 0)
            let fingerprint = storage.fingerprint(current..<(current + size))
            current += size
            let nextBound =
                current == range.upperBound
                ? upperBound
                : NegentropyBound.minimal(between: storage.items[current - 1], and: storage.items[current])
            timestamps.encode(nextBound, into: &output)
            NegentropyVarint.encode(NegentropyMode.fingerprint.rawValue, into: &output)
            fingerprint.encode(into: &output)
        }
    }
}
