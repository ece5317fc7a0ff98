import NostrCore
import RelayClientCore
import Testing

/// One message from the relay: its text, its parsed JSON and when it arrived. A message that is
/// not JSON is recorded as an issue of the running test.
public struct RelayReply: InboundMessage, CustomStringConvertible {
    /// The message as the relay sent it.
    public let text: String
    /// The message, parsed (`.null` if it is not JSON).
    public let json: JSONValue
    /// When it arrived.
    public let arrival: ContinuousClock.Instant

    /// Parses `text`, which arrived at `arrival`.
    public init(text: String, arrival: ContinuousClock.Instant) {
        self.text = text
        self.arrival = arrival
        do {
            json = try JSONValue.parse(text)
        } catch {
            Issue.record("the relay sent a message that is not JSON (\(error)): \(text)")
            json = .null
        }
    }

    /// `"EVENT"`, `"OK"`, `"EOSE"`, ...
    public var type: String? { json.arrayValue?.first?.stringValue }

    /// Element `index` of the message array.
    public subscript(index: Int) -> JSONValue? {
        guard let elements = json.arrayValue, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// Element `index` as a string.
    public func string(_ index: Int) -> String? { self[index]?.stringValue }

    /// The message text.
    public var description: String { text }
}
