// Numbers and literals of the JSON pull parser.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension JSONReader {
    /// Reads a number token, validating RFC 8259 syntax (no leading zeros, digits after `.` and `e`).
    mutating func readNumberToken() throws(JSONError) -> NumberToken {
        let first = try peek()
        let start = position
        var isInteger = true
        if first == UInt8(ascii: "-") { position += 1 }
        guard position < end, isDigit(base[position]) else { throw fail("invalid number") }
        if base[position] == UInt8(ascii: "0") {
            position += 1
            if position < end && isDigit(base[position]) { throw fail("leading zeros are not allowed", at: start) }
        } else {
            while position < end && isDigit(base[position]) { position += 1 }
        }
        if position < end && base[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard position < end, isDigit(base[position]) else { throw fail("expected a digit after '.'") }
            while position < end && isDigit(base[position]) { position += 1 }
        }
        if position < end && (base[position] == UInt8(ascii: "e") || base[position] == UInt8(ascii: "E")) {
            isInteger = false
            position += 1
            if position < end && (base[position] == UInt8(ascii: "+") || base[position] == UInt8(ascii: "-")) {
                position += 1
            }
            guard position < end, isDigit(base[position]) else { throw fail("expected a digit in the exponent") }
            while position < end && isDigit(base[position]) { position += 1 }
        }
        return NumberToken(start: start, end: position, isInteger: isInteger)
    }

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    /// Reads an integer written without fraction or exponent that fits in `Int64`.
    mutating func readInteger(_ what: @autoclosure () -> String = "an integer") throws(JSONError) -> Int64 {
        let byte = try peek()
        guard byte == UInt8(ascii: "-") || isDigit(byte) else { throw fail("expected \(what())") }
        let token = try readNumberToken()
        guard token.isInteger else { throw fail("expected \(what()), not a fraction or exponent", at: token.start) }
        var index = token.start
        let negative = base[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        var value: Int64 = 0
        while index < token.end {
            let digit = Int64(base[index] - UInt8(ascii: "0"))
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) =
                negative ? times10.subtractingReportingOverflow(digit) : times10.addingReportingOverflow(digit)
            if overflow1 || overflow2 { throw fail("\(what()) out of range", at: token.start) }
            value = next
            index += 1
        }
        return value
    }

    /// Reads `true`, `false` or `null`; returns the literal's first byte.
    mutating func readLiteral() throws(JSONError) -> UInt8 {
        let byte = try peek()
        let literal: StaticString
        switch byte {
        case UInt8(ascii: "t"): literal = "true"
        case UInt8(ascii: "f"): literal = "false"
        case UInt8(ascii: "n"): literal = "null"
        default: throw fail("unexpected character")
        }
        let count = literal.utf8CodeUnitCount
        guard position + count <= end, memcmp(base + position, literal.utf8Start, count) == 0 else {
            throw fail("invalid literal")
        }
        position += count
        return byte
    }

    /// Whether the next value is `null`; consumes it if so.
    mutating func skipNull() throws(JSONError) -> Bool {
        guard try peek() == UInt8(ascii: "n") else { return false }
        _ = try readLiteral()
        return true
    }
}
