/// Writes JSON tokens into a byte buffer.
///
/// String escaping follows NIP-01's canonical rules, which are also valid JSON: `\"`, `\\`, `\n`,
/// `\r`, `\t`, `\b`, `\f` for those seven characters, `\u00xx` (lowercase) for the other control
/// characters, and every other character verbatim as UTF-8 (no `\/`, no `\u` for non-ASCII).
public enum JSONWriter {
    /// Whether each byte needs escaping in a string: 1 for the seven short escapes, 2 for `\u00xx`.
    @usableFromInline
    static let escapeClass: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 256)
        for byte in 0..<0x20 { table[byte] = 2 }
        for byte in [0x22, 0x5C, 0x0A, 0x0D, 0x09, 0x08, 0x0C] { table[byte] = 1 }
        return table
    }()

    /// Appends `value` as a quoted, escaped JSON string.
    @inlinable
    public static func appendString(_ value: String, to output: inout [UInt8]) {
        var value = value
        value.withUTF8 { appendString(UnsafeRawBufferPointer($0), to: &output) }
    }

    /// Appends UTF-8 bytes as a quoted, escaped JSON string.
    @inlinable
    public static func appendString(_ utf8: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        appendEscaped(utf8, to: &output)
        output.append(UInt8(ascii: "\""))
    }

    /// Appends UTF-8 bytes escaped for use inside a JSON string (without quotes).
    @inlinable
    public static func appendEscaped(_ utf8: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        escapeClass.withUnsafeBufferPointer { table in
            var runStart = 0
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                let kind = table[Int(byte)]
                if kind == 0 {
                    index += 1
                    continue
                }
                if index > runStart {
                    output.append(contentsOf: UnsafeRawBufferPointer(rebasing: utf8[runStart..<index]))
                }
                output.append(UInt8(ascii: "\\"))
                switch byte {
                case 0x22: output.append(UInt8(ascii: "\""))
                case 0x5C: output.append(UInt8(ascii: "\\"))
                case 0x0A: output.append(UInt8(ascii: "n"))
                case 0x0D: output.append(UInt8(ascii: "r"))
                case 0x09: output.append(UInt8(ascii: "t"))
                case 0x08: output.append(UInt8(ascii: "b"))
                case 0x0C: output.append(UInt8(ascii: "f"))
                default:
                    output.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                    output.append(Hex.digits[Int(byte >> 4)])
                    output.append(Hex.digits[Int(byte & 0x0F)])
                }
                index += 1
                runStart = index
            }
            if utf8.count > runStart { output.append(contentsOf: UnsafeRawBufferPointer(rebasing: utf8[runStart...])) }
        }
    }

    /// Appends a decimal integer.
    @inlinable
    public static func appendInteger(_ value: Int64, to output: inout [UInt8]) {
        if value < 0 {
            output.append(UInt8(ascii: "-"))
            appendUnsigned(value.magnitude, to: &output)
        } else {
            appendUnsigned(UInt64(value), to: &output)
        }
    }

    /// Appends a decimal unsigned integer.
    @inlinable
    public static func appendUnsigned(_ value: UInt64, to output: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for 20 digits
        let count = withUnsafeMutableBytes(of: &digits) { buffer -> Int in
            var remaining = value
            var index = buffer.count
            repeat {
                index -= 1
                buffer[index] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
            } while remaining > 0
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[index...]))
            return buffer.count - index
        }
        _ = count
    }
}
