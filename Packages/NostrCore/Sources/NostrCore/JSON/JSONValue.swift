/// A JSON document as a tree, for the places that need arbitrary JSON (tests, tools, unknown fields).
///
/// The hot paths never build one: they read with the pull parser straight into their own types.
/// Numbers keep their literal text so nothing is lost; object members keep their order and any
/// duplicate keys (RFC 8259 leaves duplicates to the application; Nostr events reject them).
public indirect enum JSONValue: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number, as written in the document.
    case number(String)
    /// A string, decoded.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object's members, in document order.
    case object([Member])

    /// One `"key": value` member of an object.
    public struct Member: Sendable, Hashable {
        /// The member's name.
        public var key: String
        /// The member's value.
        public var value: JSONValue
        /// Creates a member.
        public init(_ key: String, _ value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// Parses a complete document; throws a `JSONError` naming the byte offset and the reason.
    public static func parse(_ bytes: some Sequence<UInt8>, maxDepth: Int = 64) throws(JSONError) -> JSONValue {
        let array = Array(bytes)
        let result: Result<JSONValue, JSONError> = array.withUnsafeBytes { buffer in
            var reader = JSONReader(buffer, maxDepth: maxDepth)
            do throws(JSONError) {
                let value = try JSONValue.read(&reader)
                try reader.expectEnd()
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Parses a complete document given as a string.
    public static func parse(_ text: String, maxDepth: Int = 64) throws(JSONError) -> JSONValue {
        try parse(Array(text.utf8), maxDepth: maxDepth)
    }

    static func read(_ reader: inout JSONReader) throws(JSONError) -> JSONValue {
        switch try reader.peek() {
        case UInt8(ascii: "\""):
            return .string(try reader.readString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let token = try reader.readNumberToken()
            let text = String(
                decoding: UnsafeRawBufferPointer(start: reader.base + token.start, count: token.end - token.start),
                as: UTF8.self)
            return .number(text)
        case UInt8(ascii: "["):
            try reader.beginArray()
            var elements: [JSONValue] = []
            var first = true
            while try reader.nextElement(&first) { elements.append(try read(&reader)) }
            return .array(elements)
        case UInt8(ascii: "{"):
            try reader.beginObject()
            var members: [Member] = []
            var first = true
            while let key = try reader.nextKey(&first) {
                let name = reader.decodeString(key)
                members.append(Member(name, try read(&reader)))
            }
            return .object(members)
        default:
            switch try reader.readLiteral() {
            case UInt8(ascii: "t"): return .bool(true)
            case UInt8(ascii: "f"): return .bool(false)
            default: return .null
            }
        }
    }

    /// Writes the value as compact JSON.
    public func write(to output: inout [UInt8]) {
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let text): output.append(contentsOf: text.utf8)
        case .string(let text): JSONWriter.appendString(text, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                element.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                JSONWriter.appendString(member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                member.value.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// The value as compact JSON text.
    public var jsonString: String {
        var output: [UInt8] = []
        write(to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// The member named `key` of an object (the first, if repeated).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The string, if this is one.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The number as a `Double`, if this is a number.
    public var doubleValue: Double? {
        if case .number(let text) = self { return Double(text) }
        return nil
    }

    /// The number as an `Int64`, if this is a number written as an integer in range.
    public var int64Value: Int64? {
        if case .number(let text) = self { return Int64(text) }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }
}
