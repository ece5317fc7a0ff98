// PostgreSQL's text formats: what its input functions read (parameters), the escaping `COPY ...
// FROM STDIN` adds on top (fields), and bytea's hex form in both directions.

extension PostgresValue {
    /// Appends the text PostgreSQL's input function for the value's type reads. Not for `.null`,
    /// which has no text (a parameter sends a null pointer, a `COPY` field `\N`).
    func appendText(to buffer: inout [UInt8]) throws(PostgresError) {
        switch self {
        case .null:
            preconditionFailure("NULL has no text form")
        case .string(let value):
            try Self.requireNoNUL(value)
            buffer.append(contentsOf: value.utf8)
        case .bytes(let value):
            buffer.append(contentsOf: [backslash, UInt8(ascii: "x")])
            Self.appendHex(value, to: &buffer)
        default:
            appendScalarText(to: &buffer)
        }
    }

    /// Appends the value as one field of a `COPY ... FROM STDIN` text-format row: `\N` for NULL,
    /// and backslash, newline, carriage return and tab escaped, since those delimit the format.
    func appendCopyField(to buffer: inout [UInt8]) throws(PostgresError) {
        switch self {
        case .null:
            buffer.append(contentsOf: [backslash, UInt8(ascii: "N")])
        case .string(let value):
            try Self.requireNoNUL(value)
            for byte in value.utf8 {
                switch byte {
                case backslash: buffer.append(contentsOf: [backslash, backslash])
                case newline: buffer.append(contentsOf: [backslash, UInt8(ascii: "n")])
                case carriageReturn: buffer.append(contentsOf: [backslash, UInt8(ascii: "r")])
                case tab: buffer.append(contentsOf: [backslash, UInt8(ascii: "t")])
                default: buffer.append(byte)
                }
            }
        case .bytes(let value):
            // bytea's own `\x` prefix, its backslash escaped for COPY.
            buffer.append(contentsOf: [backslash, backslash, UInt8(ascii: "x")])
            Self.appendHex(value, to: &buffer)
        default:
            appendScalarText(to: &buffer)
        }
    }

    /// Numbers and booleans: their text never needs escaping.
    private func appendScalarText(to buffer: inout [UInt8]) {
        switch self {
        case .int64(let value):
            buffer.append(contentsOf: String(value).utf8)
        case .double(let value):
            // float8in spells the specials its own way; Swift's shortest round-trip digits suit it otherwise.
            let text: String
            if value.isNaN {
                text = "NaN"
            } else if value.isInfinite {
                text = value < 0 ? "-Infinity" : "Infinity"
            } else {
                text = value.description
            }
            buffer.append(contentsOf: text.utf8)
        case .bool(let value):
            buffer.append(value ? UInt8(ascii: "t") : UInt8(ascii: "f"))
        case .null, .string, .bytes:
            preconditionFailure("not a scalar")
        }
    }

    /// PostgreSQL text cannot hold U+0000, and libpq would cut a parameter short at it: refuse
    /// rather than send something else than asked.
    private static func requireNoNUL(_ value: String) throws(PostgresError) {
        if value.utf8.contains(0) {
            throw PostgresError(message: "a string contains a NUL character, which PostgreSQL text cannot hold")
        }
    }

    private static func appendHex(_ bytes: [UInt8], to buffer: inout [UInt8]) {
        buffer.reserveCapacity(buffer.count + 2 * bytes.count)
        for byte in bytes {
            buffer.append(hexDigits[Int(byte >> 4)])
            buffer.append(hexDigits[Int(byte & 0x0F)])
        }
    }
}

/// Reads bytea's hex output (`\x0aff...`, the server's default `bytea_output`); nil when the text
/// is not in that form.
func decodeByteaHex(_ text: String) -> [UInt8]? {
    let utf8 = text.utf8
    guard utf8.count >= 2, utf8.count % 2 == 0, utf8.first == backslash,
        utf8[utf8.index(after: utf8.startIndex)] == UInt8(ascii: "x")
    else { return nil }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(utf8.count / 2 - 1)
    var high: UInt8?
    for character in utf8.dropFirst(2) {
        guard let nibble = hexValue(character) else { return nil }
        if let first = high {
            bytes.append(first << 4 | nibble)
            high = nil
        } else {
            high = nibble
        }
    }
    return bytes
}

private func hexValue(_ character: UInt8) -> UInt8? {
    switch character {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
    default: nil
    }
}

private let hexDigits = Array("0123456789abcdef".utf8)
private let backslash = UInt8(ascii: "\\")
private let newline = UInt8(ascii: "\n")
private let carriageReturn = UInt8(ascii: "\r")
private let tab = UInt8(ascii: "\t")
