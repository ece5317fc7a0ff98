/// PostgreSQL's COPY text format, one column: what `psql -c "COPY (SELECT json_build_object(...))
/// TO STDOUT"` writes. Backslash escapes are decoded exactly as PostgreSQL's COPY FROM does:
/// `\b \f \n \r \t \v`, `\\`, octal `\d`, `\dd`, `\ddd`, hex `\xh`, `\xhh`, and a backslash before
/// any other character stands for that character. `\N` alone is NULL; a tab separates columns.
enum CopyText {
    /// Why a line is not one COPY text value.
    enum Failure: Error, Equatable {
        case null
        case severalColumns
        case trailingBackslash
    }

    /// The value `line` holds.
    static func decode(_ line: [UInt8]) throws(Failure) -> [UInt8] {
        guard line.contains(UInt8(ascii: "\\")) || line.contains(UInt8(ascii: "\t")) else { return line }
        if line == [UInt8(ascii: "\\"), UInt8(ascii: "N")] { throw .null }
        var output: [UInt8] = []
        output.reserveCapacity(line.count)
        var index = 0
        while index < line.count {
            let byte = line[index]
            index += 1
            if byte == UInt8(ascii: "\t") { throw .severalColumns }
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                continue
            }
            guard index < line.count else { throw .trailingBackslash }
            let escaped = line[index]
            index += 1
            switch escaped {
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "v"): output.append(0x0B)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = Int(escaped - UInt8(ascii: "0"))
                var digits = 1
                while digits < 3, index < line.count, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(line[index]) {
                    value = value * 8 + Int(line[index] - UInt8(ascii: "0"))
                    index += 1
                    digits += 1
                }
                output.append(UInt8(truncatingIfNeeded: value))
            case UInt8(ascii: "x") where index < line.count && hexValue(line[index]) != nil:
                var value = hexValue(line[index])!
                index += 1
                if index < line.count, let low = hexValue(line[index]) {
                    value = value * 16 + low
                    index += 1
                }
                output.append(value)
            default:
                output.append(escaped)
            }
        }
        return output
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The end-of-data marker some COPY writers put on a line of its own.
    static let endMarker: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: ".")]
}
