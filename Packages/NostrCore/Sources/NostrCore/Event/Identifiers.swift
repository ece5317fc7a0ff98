/// A 32-byte identifier written on the wire as 64 lowercase hex characters.
public protocol HexIdentifier: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The 32 bytes.
    var raw: Bytes32 { get }
    /// Wraps 32 bytes.
    init(_ raw: Bytes32)
}

extension HexIdentifier {
    /// Decodes 64 lowercase hex characters; `nil` for anything else.
    public init?(hex: some StringProtocol) {
        guard let raw = Bytes32(hex: hex) else { return nil }
        self.init(raw)
    }

    /// The 64-character lowercase hex form used on the wire.
    public var hex: String { raw.hex }
    public var description: String { hex }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.raw < rhs.raw }
}

/// The id of an event: the SHA-256 of its NIP-01 canonical serialisation.
public struct EventID: HexIdentifier {
    /// The 32 digest bytes.
    public var raw: Bytes32

    /// Wraps 32 digest bytes.
    public init(_ raw: Bytes32) { self.raw = raw }
}

/// A BIP-340 x-only public key: the identity of a Nostr user.
public struct PublicKey: HexIdentifier {
    /// The 32 key bytes.
    public var raw: Bytes32

    /// Wraps 32 key bytes (not checked to be a point on the curve; verification does that).
    public init(_ raw: Bytes32) { self.raw = raw }
}

/// A 64-byte BIP-340 Schnorr signature.
public struct Signature: Hashable, Sendable, CustomStringConvertible {
    /// Bytes 0-31 (the nonce point's x coordinate) and 32-63 (the scalar).
    public var r: Bytes32, s: Bytes32

    /// Creates a signature from its two halves.
    public init(r: Bytes32, s: Bytes32) { (self.r, self.s) = (r, s) }

    /// Creates a signature from exactly 64 bytes; `nil` for any other length.
    public init?(_ bytes: some Collection<UInt8>) {
        guard bytes.count == 64, let r = Bytes32(bytes.prefix(32)), let s = Bytes32(bytes.dropFirst(32)) else {
            return nil
        }
        (self.r, self.s) = (r, s)
    }

    /// Decodes 128 lowercase hex characters; `nil` for anything else.
    public init?(hex: some StringProtocol) {
        var utf8 = Array(hex.utf8)
        guard let value = utf8.withUnsafeMutableBytes({ Signature(hexASCII: UnsafeRawBufferPointer($0)) }) else {
            return nil
        }
        self = value
    }

    /// Decodes 128 lowercase hex ASCII bytes; `nil` for any other length or character.
    @inlinable
    public init?(hexASCII ascii: UnsafeRawBufferPointer) {
        guard ascii.count == 128,
            let r = Bytes32(hexASCII: UnsafeRawBufferPointer(rebasing: ascii[0..<64])),
            let s = Bytes32(hexASCII: UnsafeRawBufferPointer(rebasing: ascii[64..<128]))
        else { return nil }
        (self.r, self.s) = (r, s)
    }

    /// The 64 signature bytes.
    public var bytes: [UInt8] { r.bytes + s.bytes }

    /// Calls `body` with the 64 bytes in order.
    @inlinable
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var words = (
            r.w0.bigEndian, r.w1.bigEndian, r.w2.bigEndian, r.w3.bigEndian,
            s.w0.bigEndian, s.w1.bigEndian, s.w2.bigEndian, s.w3.bigEndian
        )
        return try Swift.withUnsafeBytes(of: &words) { try body($0) }
    }

    /// The 128-character lowercase hex form used on the wire.
    public var hex: String { r.hex + s.hex }
    public var description: String { hex }

    /// Appends the 128-character lowercase hex form to `output`.
    @inlinable
    public func appendHex(to output: inout [UInt8]) {
        r.appendHex(to: &output)
        s.appendHex(to: &output)
    }
}
