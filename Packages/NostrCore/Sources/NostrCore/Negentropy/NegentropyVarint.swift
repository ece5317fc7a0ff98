/// The protocol's unsigned varint: base 128, most significant group first, the high bit set on
/// every byte but the last (not LEB128, whose groups go least significant first).
public enum NegentropyVarint {
    /// The number of bytes `value` takes.
    @inlinable
    public static func encodedLength(_ value: UInt64) -> Int {
        value == 0 ? 1 : (64 - value.leadingZeroBitCount + 6) / 7
    }

    /// Appends the encoding of `value` to `output`.
    @inlinable
    public static func encode(_ value: UInt64, into output: inout [UInt8]) {
        var shift = (encodedLength(value) - 1) * 7
        while shift > 0 {
            output.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)) | 0x80)
            shift -= 7
        }
        output.append(UInt8(truncatingIfNeeded: value) & 0x7F)
    }

    /// The encoding of `value`.
    public static func encode(_ value: UInt64) -> [UInt8] {
        var output: [UInt8] = []
        encode(value, into: &output)
        return output
    }

    /// Decodes the varint at `offset` in `bytes` and moves `offset` past it.
    ///
    /// - Throws: `.truncatedVarint` when the bytes end inside it, `.varintOverflow` past 64 bits.
    @inlinable
    public static func decode(_ bytes: UnsafeRawBufferPointer, at offset: inout Int) throws(NegentropyError) -> UInt64 {
        var result: UInt64 = 0
        while true {
            guard offset < bytes.count else { throw .truncatedVarint }
            let byte = bytes[offset]
            offset += 1
            guard result >> 57 == 0 else { throw .varintOverflow }
            result = result << 7 | UInt64(byte & 0x7F)
            if byte & 0x80 == 0 { return result }
        }
    }

    /// Decodes the varint at the start of `bytes`: its value and how many bytes it took.
    public static func decode(_ bytes: [UInt8]) throws(NegentropyError) -> (value: UInt64, length: Int) {
        var offset = 0
        // `withUnsafeBytes` rethrows untyped errors: the typed one travels in a `Result`.
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(NegentropyError) in try decode(buffer, at: &offset) }
        }
        return (try result.get(), offset)
    }
}
