/// A 32-byte value (a SHA-256 digest, an x-only public key) held as four big-endian words.
///
/// Holding words rather than a byte array makes the value allocation-free, and because each word
/// is the big-endian reading of its bytes, comparing words in order is the same as comparing the
/// bytes (and their lowercase hex) lexicographically, which is the order NIP-01 breaks ties with.
public struct Bytes32: Hashable, Comparable, Sendable {
    /// Bytes 0-7, 8-15, 16-23 and 24-31, each read as a big-endian integer.
    public var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    /// Creates the value from its four big-endian words.
    public init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        (self.w0, self.w1, self.w2, self.w3) = (w0, w1, w2, w3)
    }

    /// The all-zero value.
    public static let zero = Bytes32(w0: 0, w1: 0, w2: 0, w3: 0)

    /// Creates the value from exactly 32 bytes; `nil` for any other length.
    public init?(_ bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        Swift.withUnsafeMutableBytes(of: &words) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        self.init(
            w0: UInt64(bigEndian: words.0), w1: UInt64(bigEndian: words.1),
            w2: UInt64(bigEndian: words.2), w3: UInt64(bigEndian: words.3))
    }

    /// Creates the value from the first 32 bytes at `pointer`.
    @inlinable
    public init(loadingFrom pointer: UnsafeRawPointer) {
        self.init(
            w0: UInt64(bigEndian: pointer.loadUnaligned(as: UInt64.self)),
            w1: UInt64(bigEndian: pointer.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
            w2: UInt64(bigEndian: pointer.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
            w3: UInt64(bigEndian: pointer.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
    }

    /// Decodes 64 lowercase hex characters; `nil` for anything else.
    public init?(hex: some StringProtocol) {
        var utf8 = Array(hex.utf8)
        guard let value = utf8.withUnsafeMutableBytes({ Bytes32(hexASCII: UnsafeRawBufferPointer($0)) }) else {
            return nil
        }
        self = value
    }

    /// Decodes 64 lowercase hex ASCII bytes; `nil` for any other length or character.
    @inlinable
    public init?(hexASCII ascii: UnsafeRawBufferPointer) {
        guard ascii.count == 64 else { return nil }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let valid = Swift.withUnsafeMutableBytes(of: &words) { raw -> Bool in
            Hex.nibbleTable.withUnsafeBufferPointer { table in
                var bad: UInt8 = 0
                for index in 0..<32 {
                    let high = table[Int(ascii[2 * index])]
                    let low = table[Int(ascii[2 * index + 1])]
                    bad |= high | low
                    raw[index] = high << 4 | (low & 0x0F)
                }
                return bad & 0xF0 == 0
            }
        }
        guard valid else { return nil }
        self.init(
            w0: UInt64(bigEndian: words.0), w1: UInt64(bigEndian: words.1),
            w2: UInt64(bigEndian: words.2), w3: UInt64(bigEndian: words.3))
    }

    /// Calls `body` with the 32 bytes in order.
    @inlinable
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var words = (w0.bigEndian, w1.bigEndian, w2.bigEndian, w3.bigEndian)
        return try Swift.withUnsafeBytes(of: &words) { try body($0) }
    }

    /// The 32 bytes in order.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// The 64-character lowercase hex form.
    public var hex: String { withUnsafeBytes { Hex.encode($0) } }

    /// Appends the 64-character lowercase hex form to `output`.
    @inlinable
    public func appendHex(to output: inout [UInt8]) {
        withUnsafeBytes { Hex.append($0, to: &output) }
    }

    public static func < (lhs: Bytes32, rhs: Bytes32) -> Bool {
        (lhs.w0, lhs.w1, lhs.w2, lhs.w3) < (rhs.w0, rhs.w1, rhs.w2, rhs.w3)
    }
}
