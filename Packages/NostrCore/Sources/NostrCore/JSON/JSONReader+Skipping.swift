// Skipping whole values in the JSON pull parser.

extension JSONReader {
    /// Skips one complete value of any type, validating all of it, without recursion.
    mutating func skipValue() throws(JSONError) {
        // One bit per open container: 1 for an object, 0 for an array.
        var kinds = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        var open = 0
        func setKind(_ level: Int, object: Bool) {
            let bit = UInt64(1) << UInt64(level & 63)
            switch level >> 6 {
            case 0: kinds.0 = object ? kinds.0 | bit : kinds.0 & ~bit
            case 1: kinds.1 = object ? kinds.1 | bit : kinds.1 & ~bit
            case 2: kinds.2 = object ? kinds.2 | bit : kinds.2 & ~bit
            default: kinds.3 = object ? kinds.3 | bit : kinds.3 & ~bit
            }
        }
        func isObject(_ level: Int) -> Bool {
            let word: UInt64
            switch level >> 6 {
            case 0: word = kinds.0
            case 1: word = kinds.1
            case 2: word = kinds.2
            default: word = kinds.3
            }
            return word & (UInt64(1) << UInt64(level & 63)) != 0
        }
        while true {
            // Read one value; containers push and continue with their first member.
            switch try peek() {
            case UInt8(ascii: "\""):
                _ = try readStringToken()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                _ = try readNumberToken()
            case UInt8(ascii: "["):
                try enterContainer()
                setKind(open, object: false)
                open += 1
                if try peek() == UInt8(ascii: "]") {
                    position += 1
                    depth -= 1
                    open -= 1
                } else {
                    continue
                }
            case UInt8(ascii: "{"):
                try enterContainer()
                setKind(open, object: true)
                open += 1
                if try peek() == UInt8(ascii: "}") {
                    position += 1
                    depth -= 1
                    open -= 1
                } else {
                    _ = try readStringToken("a string key")
                    try expect(UInt8(ascii: ":"), "':' after an object key")
                    continue
                }
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                _ = try readLiteral()
            default:
                throw fail("unexpected character")
            }
            // After a value: close finished containers, or move to the next member.
            while open > 0 {
                let object = isObject(open - 1)
                let byte = try peek()
                if byte == UInt8(ascii: ",") {
                    position += 1
                    if object {
                        _ = try readStringToken("a string key")
                        try expect(UInt8(ascii: ":"), "':' after an object key")
                    }
                    break
                } else if byte == (object ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    position += 1
                    depth -= 1
                    open -= 1
                } else {
                    throw fail(object ? "expected ',' or '}'" : "expected ',' or ']'")
                }
            }
            if open == 0 { return }
        }
    }
}
