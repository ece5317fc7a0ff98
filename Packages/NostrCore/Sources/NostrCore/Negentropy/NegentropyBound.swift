/// A range boundary: a timestamp and the shortest id prefix that separates the items on either
/// side. The items a range holds are those at or above the previous bound and below this one.
public struct NegentropyBound: Hashable, Sendable {
    /// The timestamp; `UInt64.max` is the bound above every item.
    public var createdAt: UInt64
    /// The id prefix, zero-padded to 32 bytes (the padding makes it compare as the prefix would).
    public var idPrefix: Bytes32
    /// How many bytes of `idPrefix` are sent (0 to 32).
    public var prefixLength: Int

    /// Creates a bound from a timestamp and the first `prefixLength` bytes of `idPrefix` (the rest
    /// are zeroed).
    public init(createdAt: UInt64, idPrefix: Bytes32 = .zero, prefixLength: Int = 0) {
        precondition((0...32).contains(prefixLength), "a bound's id prefix is 0 to 32 bytes")
        self.createdAt = createdAt
        self.idPrefix = idPrefix.keepingPrefix(prefixLength)
        self.prefixLength = prefixLength
    }

    /// The bound exactly at `item` (the whole id).
    public init(_ item: NegentropyItem) {
        self.init(createdAt: item.createdAt, idPrefix: item.id.raw, prefixLength: 32)
    }

    /// The bound above every item.
    public static let infinity = NegentropyBound(createdAt: .max)

    /// The shortest bound above `previous` and at or below `current`, which must follow it in order:
    /// only the timestamp when they differ there, otherwise the shared id prefix plus one byte.
    public static func minimal(between previous: NegentropyItem, and current: NegentropyItem) -> NegentropyBound {
        guard previous.createdAt == current.createdAt else { return NegentropyBound(createdAt: current.createdAt) }
        let a = previous.id.raw
        let b = current.id.raw
        let shared: Int
        if a.w0 != b.w0 {
            shared = (a.w0 ^ b.w0).leadingZeroBitCount / 8
        } else if a.w1 != b.w1 {
            shared = 8 + (a.w1 ^ b.w1).leadingZeroBitCount / 8
        } else if a.w2 != b.w2 {
            shared = 16 + (a.w2 ^ b.w2).leadingZeroBitCount / 8
        } else {
            shared = 24 + (a.w3 ^ b.w3).leadingZeroBitCount / 8
        }
        let length = min(shared + 1, 32)
        return NegentropyBound(createdAt: current.createdAt, idPrefix: b, prefixLength: length)
    }

    /// Whether `item` is below this bound (inside a range that ends here).
    @inlinable
    public func isAbove(_ item: NegentropyItem) -> Bool {
        item.createdAt != createdAt ? item.createdAt < createdAt : item.id.raw < idPrefix
    }

    /// Whether this bound is below `other` (the order ranges in a message must follow).
    @inlinable
    public func isBelow(_ other: NegentropyBound) -> Bool {
        createdAt != other.createdAt ? createdAt < other.createdAt : idPrefix < other.idPrefix
    }
}

extension Bytes32 {
    /// The first `length` bytes, the rest zero.
    fileprivate func keepingPrefix(_ length: Int) -> Bytes32 {
        func mask(_ word: UInt64, _ bytes: Int) -> UInt64 {
            bytes >= 8 ? word : bytes <= 0 ? 0 : word & ~(UInt64.max >> UInt64(bytes * 8))
        }
        return Bytes32(
            w0: mask(w0, length), w1: mask(w1, length - 8), w2: mask(w2, length - 16), w3: mask(w3, length - 24))
    }
}

/// The delta encoding of bound timestamps within one message: each timestamp is sent as the
/// difference from the previous one plus one, and 0 stands for infinity (`UInt64.max`).
struct NegentropyTimestampCoder {
    private var lastIn: UInt64 = 0
    private var lastOut: UInt64 = 0

    /// Starts a new message (the deltas restart from 0 in each).
    mutating func reset() {
        lastIn = 0
        lastOut = 0
    }

    /// Appends `bound`: its timestamp delta, prefix length and prefix bytes.
    mutating func encode(_ bound: NegentropyBound, into output: inout [UInt8]) {
        if bound.createdAt == .max {
            lastOut = .max
            NegentropyVarint.encode(0, into: &output)
        } else {
            // The reference wraps here too (a bound below the previous one cannot be produced).
            NegentropyVarint.encode((bound.createdAt &- lastOut) &+ 1, into: &output)
            lastOut = bound.createdAt
        }
        NegentropyVarint.encode(UInt64(bound.prefixLength), into: &output)
        bound.idPrefix.withUnsafeBytes { output.append(contentsOf: $0.prefix(bound.prefixLength)) }
    }

    /// Reads a bound at `offset` in `bytes` and moves `offset` past it.
    mutating func decode(
        _ bytes: UnsafeRawBufferPointer, at offset: inout Int
    ) throws(NegentropyError)
        -> NegentropyBound
    {
        let delta = try NegentropyVarint.decode(bytes, at: &offset)
        var timestamp = delta == 0 ? UInt64.max : delta - 1
        let (sum, overflow) = timestamp.addingReportingOverflow(lastIn)
        timestamp = overflow ? .max : sum  // saturates, as the reference does
        lastIn = timestamp
        let length = try NegentropyVarint.decode(bytes, at: &offset)
        guard length <= 32 else { throw .boundPrefixTooLong(length) }
        let count = Int(length)
        guard bytes.count - offset >= count else { throw .truncatedMessage }
        var padded = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        withUnsafeMutableBytes(of: &padded) { raw in
            raw.baseAddress!.copyMemory(from: bytes.baseAddress! + offset, byteCount: count)
        }
        offset += count
        let prefix = withUnsafeBytes(of: &padded) { Bytes32(loadingFrom: $0.baseAddress!) }
        return NegentropyBound(createdAt: timestamp, idPrefix: prefix, prefixLength: count)
    }
}
