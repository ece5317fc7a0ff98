/// Lowercase hexadecimal encoding and strict decoding.
///
/// Nostr requires lowercase hex for ids, public keys and signatures, so decoding rejects uppercase digits.
public enum Hex {
    /// Maps an ASCII byte to its nibble value, or 0xFF when it is not a lowercase hex digit.
    @usableFromInline
    static let nibbleTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in Array("0123456789abcdef".utf8).enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    @usableFromInline
    static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Decodes lowercase hex into bytes; `nil` when the length is odd or a character is not `[0-9a-f]`.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var utf8 = Array(text.utf8)
        return utf8.withUnsafeMutableBytes { decode(UnsafeRawBufferPointer($0)) }
    }

    /// Decodes lowercase hex bytes (ASCII) into bytes; `nil` when the input is not lowercase hex of even length.
    public static func decode(_ ascii: UnsafeRawBufferPointer) -> [UInt8]? {
        guard ascii.count % 2 == 0 else { return nil }
        var output = [UInt8](repeating: 0, count: ascii.count / 2)
        let ok = output.withUnsafeMutableBufferPointer { out -> Bool in
            nibbleTable.withUnsafeBufferPointer { table in
                var index = 0
                while index < out.count {
                    let high = table[Int(ascii[2 * index])]
                    let low = table[Int(ascii[2 * index + 1])]
                    if (high | low) & 0xF0 != 0 { return false }
                    out[index] = high << 4 | low
                    index += 1
                }
                return true
            }
        }
        return ok ? output : nil
    }

    /// Encodes bytes as lowercase hex.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends the lowercase hex of `bytes` to `output`.
    @inlinable
    public static func append(_ bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
    }
}
