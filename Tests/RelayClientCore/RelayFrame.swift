import NostrCore

/// One message from the relay, with the moment it arrived. Only its head (type and subscription or
/// event id) is read up front, from the text without parsing it; the rest is parsed on demand:
/// REQ results can be megabytes the benchmark never looks into.
public struct RelayFrame: Sendable, CustomStringConvertible {
    /// The message as the relay sent it.
    public let text: String
    /// When it arrived (stamped before it was queued).
    public let at: ContinuousClock.Instant
    /// The leading string elements (type, subscription id or event id).
    private let head: [String]

    /// The message `text`, which arrived at `at`.
    public init(_ text: String, at: ContinuousClock.Instant) {
        self.text = text
        self.at = at
        head = RelayFrame.leadingStrings(text, count: 2)
    }

    /// The whole message, parsed (`.null` if it is not JSON).
    public var json: JSONValue { (try? JSONValue.parse(text)) ?? .null }

    /// `"EVENT"`, `"OK"`, `"EOSE"`, ...
    public var type: String? { head.first ?? json.arrayValue?.first?.stringValue }

    /// Element `index` of the message array.
    public subscript(index: Int) -> JSONValue? {
        guard let elements = json.arrayValue, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// Element `index` as a string.
    public func string(_ index: Int) -> String? { index < head.count ? head[index] : self[index]?.stringValue }

    /// The message text.
    public var description: String { text }

    /// Up to `count` plain (escape-free) strings at the start of a JSON array; stops at anything else.
    static func leadingStrings(_ text: String, count: Int) -> [String] {
        var result: [String] = []
        var utf8 = Substring(text).utf8[...]
        guard utf8.first == UInt8(ascii: "[") else { return [] }
        utf8 = utf8.dropFirst()
        while result.count < count {
            while let byte = utf8.first, byte == UInt8(ascii: " ") || byte == UInt8(ascii: ",") {
                utf8 = utf8.dropFirst()
            }
            guard utf8.first == UInt8(ascii: "\"") else { break }
            utf8 = utf8.dropFirst()
            guard let close = utf8.firstIndex(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }),
                utf8[close] == UInt8(ascii: "\"")
            else { break }
            result.append(String(decoding: utf8[..<close], as: UTF8.self))
            utf8 = utf8[utf8.index(after: close)...]
        }
        return result
    }
}
