/// The 16-byte digest of a range: the first half of SHA-256 over the id sum (32 bytes, little
/// endian) followed by the varint item count.
public struct NegentropyFingerprint: Hashable, Sendable, CustomStringConvertible {
    /// Bytes 0-7 and 8-15, each read as a big-endian integer.
    public var high: UInt64, low: UInt64

    /// Creates a fingerprint from its two big-endian words.
    public init(high: UInt64, low: UInt64) {
        (self.high, self.low) = (high, low)
    }

    /// Reads 16 bytes at `offset` in `bytes` and moves `offset` past them.
    static func decode(
        _ bytes: UnsafeRawBufferPointer, at offset: inout Int
    ) throws(NegentropyError)
        -> NegentropyFingerprint
    {
        guard bytes.count - offset >= 16 else { throw .truncatedMessage }
        let base = bytes.baseAddress! + offset
        offset += 16
        return NegentropyFingerprint(
            high: UInt64(bigEndian: base.loadUnaligned(as: UInt64.self)),
            low: UInt64(bigEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
    }

    /// Appends the 16 bytes to `output`.
    func encode(into output: inout [UInt8]) {
        var words = (high.bigEndian, low.bigEndian)
        withUnsafeBytes(of: &words) { output.append(contentsOf: $0) }
    }

    /// The 16 bytes in order.
    public var bytes: [UInt8] {
        var output: [UInt8] = []
        encode(into: &output)
        return output
    }

    /// The 32-character lowercase hex form.
    public var description: String { bytes.withUnsafeBytes { Hex.encode($0) } }

    /// The fingerprint of `ids`, computed the slow, obvious way (for tests and one-off use).
    public static func of(_ ids: some Sequence<EventID>) -> NegentropyFingerprint {
        var sum = NegentropyIDSum()
        var count: UInt64 = 0
        for id in ids {
            sum.add(id.raw)
            count += 1
        }
        return sum.fingerprint(count: count)
    }
}

/// The sum of ids as 256-bit little-endian integers, modulo 2^256: the part of a fingerprint that
/// can be added to and subtracted from, so ranges of a sorted list come from prefix sums.
public struct NegentropyIDSum: Hashable, Sendable {
    /// The four 64-bit limbs, least significant first.
    public var limb0: UInt64 = 0, limb1: UInt64 = 0, limb2: UInt64 = 0, limb3: UInt64 = 0

    /// The empty sum.
    public init() {}

    /// Adds `id` read as a little-endian integer (`Bytes32`'s words are big endian, so each word
    /// is byte-swapped into a limb).
    @inlinable
    public mutating func add(_ id: Bytes32) {
        add(limbs: (id.w0.byteSwapped, id.w1.byteSwapped, id.w2.byteSwapped, id.w3.byteSwapped))
    }

    /// Adds another sum.
    @inlinable
    public mutating func add(_ other: NegentropyIDSum) {
        add(limbs: (other.limb0, other.limb1, other.limb2, other.limb3))
    }

    /// Subtracts another sum.
    @inlinable
    public mutating func subtract(_ other: NegentropyIDSum) {
        var borrow = false
        (limb0, borrow) = Self.subtract(limb0, other.limb0, borrow)
        (limb1, borrow) = Self.subtract(limb1, other.limb1, borrow)
        (limb2, borrow) = Self.subtract(limb2, other.limb2, borrow)
        (limb3, _) = Self.subtract(limb3, other.limb3, borrow)
    }

    @inlinable
    mutating func add(limbs: (UInt64, UInt64, UInt64, UInt64)) {
        var carry = false
        (limb0, carry) = Self.add(limb0, limbs.0, carry)
        (limb1, carry) = Self.add(limb1, limbs.1, carry)
        (limb2, carry) = Self.add(limb2, limbs.2, carry)
        (limb3, _) = Self.add(limb3, limbs.3, carry)
    }

    @inlinable
    static func add(_ a: UInt64, _ b: UInt64, _ carry: Bool) -> (UInt64, Bool) {
        let (s1, o1) = a.addingReportingOverflow(b)
        let (s2, o2) = s1.addingReportingOverflow(carry ? 1 : 0)
        return (s2, o1 || o2)
    }

    @inlinable
    static func subtract(_ a: UInt64, _ b: UInt64, _ borrow: Bool) -> (UInt64, Bool) {
        let (d1, o1) = a.subtractingReportingOverflow(b)
        let (d2, o2) = d1.subtractingReportingOverflow(borrow ? 1 : 0)
        return (d2, o1 || o2)
    }

    /// The fingerprint of a range whose ids sum to this and which holds `count` items.
    public func fingerprint(count: UInt64) -> NegentropyFingerprint {
        // 32 sum bytes and at most 10 varint bytes, on the stack.
        var buffer = (
            limb0.littleEndian, limb1.littleEndian, limb2.littleEndian, limb3.littleEndian, UInt64(0), UInt64(0)
        )
        let digest = withUnsafeMutableBytes(of: &buffer) { raw -> Bytes32 in
            let length = NegentropyVarint.encodedLength(count)
            var shift = (length - 1) * 7
            for index in 0..<length {
                raw[32 + index] = UInt8(truncatingIfNeeded: count >> UInt64(shift)) & 0x7F | (shift > 0 ? 0x80 : 0)
                shift -= 7
            }
            return Bytes32.sha256(of: UnsafeRawBufferPointer(rebasing: raw[0..<(32 + length)]))
        }
        return NegentropyFingerprint(high: digest.w0, low: digest.w1)
    }
}
