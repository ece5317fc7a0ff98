// String scanning, validation and decoding of the JSON pull parser.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension JSONReader {
    /// Reads a string token and validates it fully (UTF-8, escapes), without decoding it.
    mutating func readStringToken(_ what: @autoclosure () -> String = "a string") throws(JSONError) -> StringToken {
        guard try peek() == UInt8(ascii: "\"") else { throw fail("expected \(what())") }
        return try scanStringToken()
    }

    /// Reads a string token whose opening quote is at `position` (the caller has peeked it).
    @inline(__always)
    mutating func scanStringToken() throws(JSONError) -> StringToken {
        let open = position
        position += 1
        let start = position
        var hasEscapes = false
        while true {
            // Fast path: skip plain bytes sixteen at a time, then jump straight to the first special
            // byte (the lowest flagged byte of a word is always a true positive).
            while position &+ 16 <= end {
                let pointer = UnsafeRawPointer(base + position)
                let first = JSONReader.specialBits(pointer.loadUnaligned(as: UInt64.self))
                if first != 0 {
                    position &+= first.trailingZeroBitCount &>> 3
                    break
                }
                let second = JSONReader.specialBits(pointer.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
                if second != 0 {
                    position &+= 8 &+ second.trailingZeroBitCount &>> 3
                    break
                }
                position &+= 16
            }
            if position &+ 8 <= end {
                let bits = JSONReader.specialBits(UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
                position &+= bits == 0 ? 8 : bits.trailingZeroBitCount &>> 3
            }
            guard position < end else { throw fail("unterminated string", at: open) }
            let byte = base[position]
            if byte == UInt8(ascii: "\"") {
                let token = StringToken(start: start, end: position, hasEscapes: hasEscapes)
                position += 1
                return token
            } else if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                try skipEscape()
            } else if byte < 0x20 {
                throw fail("unescaped control character in string")
            } else if byte < 0x80 {
                position += 1
            } else {
                try skipUTF8Sequence()
            }
        }
    }

    /// Non-zero when any byte of `word` is a quote, a backslash, a control character or non-ASCII.
    /// False positives are possible only when a true positive is in the same word.
    @inline(__always)
    static func specialBits(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let special =
            ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word) | word
        return special & highs
    }

    private mutating func skipEscape() throws(JSONError) {
        let backslash = position
        guard position + 1 < end else { throw fail("unterminated escape", at: backslash) }
        switch base[position + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            position += 2
        case UInt8(ascii: "u"):
            let unit = try readHex4(at: position + 2)
            position += 6
            if unit >= 0xD800 && unit <= 0xDBFF {
                guard position + 1 < end, base[position] == UInt8(ascii: "\\"), base[position + 1] == UInt8(ascii: "u")
                else { throw fail("lone high surrogate in \\u escape", at: backslash) }
                let low = try readHex4(at: position + 2)
                guard low >= 0xDC00 && low <= 0xDFFF else {
                    throw fail("high surrogate not followed by a low surrogate", at: backslash)
                }
                position += 6
            } else if unit >= 0xDC00 && unit <= 0xDFFF {
                throw fail("lone low surrogate in \\u escape", at: backslash)
            }
        default:
            throw fail("invalid escape sequence", at: backslash)
        }
    }

    private func readHex4(at offset: Int) throws(JSONError) -> UInt32 {
        guard offset + 4 <= end else { throw fail("truncated \\u escape", at: offset) }
        var value: UInt32 = 0
        for index in offset..<offset + 4 {
            let byte = base[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail("invalid hex digit in \\u escape", at: index)
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// Validates one multi-byte UTF-8 sequence (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
    private mutating func skipUTF8Sequence() throws(JSONError) {
        let lead = base[position]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw fail("invalid UTF-8 byte")
        }
        guard position + length <= end else { throw fail("truncated UTF-8 sequence") }
        let second = base[position + 1]
        guard second >= low && second <= high else { throw fail("invalid UTF-8 sequence") }
        var index = 2
        while index < length {
            guard base[position + index] & 0xC0 == 0x80 else { throw fail("invalid UTF-8 sequence") }
            index += 1
        }
        position += length
    }

    /// Appends the decoded bytes of a validated string token to `output`.
    func appendDecoded(_ token: StringToken, to output: inout [UInt8]) {
        guard token.hasEscapes else {
            output.append(contentsOf: UnsafeBufferPointer(start: base + token.start, count: token.count))
            return
        }
        var index = token.start
        while index < token.end {
            // Copy the run up to the next backslash in one go.
            var runEnd = index
            while runEnd < token.end && base[runEnd] != UInt8(ascii: "\\") { runEnd += 1 }
            if runEnd > index {
                output.append(contentsOf: UnsafeBufferPointer(start: base + index, count: runEnd - index))
                index = runEnd
                if index >= token.end { break }
            }
            let escape = base[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = (try? readHex4(at: index)) ?? 0xFFFD
                index += 4
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    let low = (try? readHex4(at: index + 2)) ?? 0xDC00
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
                JSONReader.appendUTF8(scalar, to: &output)
            default: output.append(escape)  // `"`, `\` and `/` stand for themselves
            }
        }
    }

    static func appendUTF8(_ scalar: UInt32, to output: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            output.append(UInt8(scalar))
        case 0x80..<0x800:
            output.append(UInt8(0xC0 | scalar >> 6))
            output.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            output.append(UInt8(0xE0 | scalar >> 12))
            output.append(UInt8(0x80 | (scalar >> 6) & 0x3F))
            output.append(UInt8(0x80 | scalar & 0x3F))
        default:
            output.append(UInt8(0xF0 | scalar >> 18))
            output.append(UInt8(0x80 | (scalar >> 12) & 0x3F))
            output.append(UInt8(0x80 | (scalar >> 6) & 0x3F))
            output.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Whether a validated token's escapes are exactly those the NIP-01 canonical serialisation
    /// writes (`\" \\ \n \r \t \b \f`, and `\u00xx` in lowercase for other control characters),
    /// so its raw bytes equal the canonical form.
    func hasCanonicalEscapes(_ token: StringToken) -> Bool {
        guard token.hasEscapes else { return true }
        var index = token.start
        while index < token.end {
            guard base[index] == UInt8(ascii: "\\") else {
                index += 1
                continue
            }
            switch base[index + 1] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"),
                UInt8(ascii: "b"), UInt8(ascii: "f"):
                index += 2
            case UInt8(ascii: "u"):
                guard base[index + 2] == UInt8(ascii: "0"), base[index + 3] == UInt8(ascii: "0") else { return false }
                let high = Hex.nibbleTable[Int(base[index + 4])]
                let low = Hex.nibbleTable[Int(base[index + 5])]
                guard high < 2, low < 16, JSONWriter.escapeClass[Int(high << 4 | low)] == 2 else { return false }
                index += 6
            default:
                return false
            }
        }
        return true
    }

    /// Decodes a validated string token into a `String`.
    func decodeString(_ token: StringToken) -> String {
        if !token.hasEscapes {
            return String(decoding: UnsafeBufferPointer(start: base + token.start, count: token.count), as: UTF8.self)
        }
        var output: [UInt8] = []
        output.reserveCapacity(token.count)
        appendDecoded(token, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Reads and decodes a string.
    mutating func readString(_ what: @autoclosure () -> String = "a string") throws(JSONError) -> String {
        decodeString(try readStringToken(what()))
    }

    /// Whether a token's decoded value equals the ASCII `literal` (the common, escape-free case is a memcmp).
    func token(_ token: StringToken, equals literal: StaticString) -> Bool {
        if !token.hasEscapes {
            return token.count == literal.utf8CodeUnitCount
                && memcmp(base + token.start, literal.utf8Start, token.count) == 0
        }
        var decoded: [UInt8] = []
        appendDecoded(token, to: &decoded)
        return decoded.count == literal.utf8CodeUnitCount
            && decoded.withUnsafeBytes { memcmp($0.baseAddress!, literal.utf8Start, decoded.count) == 0 }
    }

    /// The raw (still escaped) bytes of a token.
    func rawBytes(_ token: StringToken) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + token.start, count: token.count)
    }
}
