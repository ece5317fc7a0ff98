/// A message from a relay as a client reads it (NIP-01, NIP-42, NIP-45, NIP-77): the counterpart of
/// `RelayMessage`, which is what a relay writes. Reasons are free text here, since a relay may say
/// anything, and events are parsed but not validated (call `Event.validate`).
public enum ReceivedRelayMessage: Sendable, Hashable {
    /// `["EVENT", <subscription id>, <event>]`.
    case event(subscriptionID: String, event: Event)
    /// `["OK", <event id>, <accepted>, <message>]`; a missing message reads as empty.
    case ok(eventID: EventID, accepted: Bool, message: String)
    /// `["EOSE", <subscription id>]`.
    case endOfStoredEvents(subscriptionID: String)
    /// `["CLOSED", <subscription id>, <message>]`; a missing message reads as empty.
    case closed(subscriptionID: String, message: String)
    /// `["NOTICE", <message>]`.
    case notice(String)
    /// `["AUTH", <challenge>]`.
    case auth(challenge: String)
    /// `["COUNT", <subscription id>, {"count": n, "approximate"?: bool}]`.
    case count(subscriptionID: String, count: Int, approximate: Bool)
    /// `["NEG-MSG", <subscription id>, <hex message>]`, the hex decoded.
    case negentropyMessage(subscriptionID: String, message: [UInt8])
    /// `["NEG-ERR", <subscription id>, <message>]`.
    case negentropyError(subscriptionID: String, message: String)
}

/// Why a relay's message could not be read.
public struct RelayMessageParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// For an `EVENT` message whose envelope was fine but whose event object was not: the
    /// subscription it was sent on, so a client can report a bad event rather than a bad message.
    public var subscriptionID: String?
    /// What is wrong, prefixed `invalid:`.
    public var reason: Reason

    /// Creates an error; `subscriptionID` is set only for an unreadable event.
    public init(subscriptionID: String? = nil, reason: Reason) {
        self.subscriptionID = subscriptionID
        self.reason = reason
    }

    /// The reason, with its prefix.
    public var description: String { reason.description }
}

extension ReceivedRelayMessage {
    /// Parses one relay message: strict JSON (as `JSONReader` reads it) and strict events (as
    /// `Event(json:)` reads them), but lenient where relays differ in practice: an `OK` or
    /// `CLOSED` without its message, an `approximate` that is `false`, unknown keys in `COUNT`'s
    /// object and extra trailing elements are all accepted.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, maxDepth: Int = 64
    ) throws(RelayMessageParseError) -> ReceivedRelayMessage {
        var reader = JSONReader(bytes, maxDepth: maxDepth)
        var eventSubscription: String?
        do {
            let message = try read(&reader, eventSubscription: &eventSubscription)
            try reader.expectEnd()
            return message
        } catch let error as EventParseError {
            throw RelayMessageParseError(subscriptionID: eventSubscription, reason: error.reason)
        } catch {
            throw RelayMessageParseError(reason: Event.reason(for: error))
        }
    }

    /// Parses one relay message from bytes.
    public static func parse(
        _ bytes: [UInt8], maxDepth: Int = 64
    ) throws(RelayMessageParseError)
        -> ReceivedRelayMessage
    {
        let result: Result<ReceivedRelayMessage, RelayMessageParseError> = bytes.withUnsafeBytes { buffer in
            do throws(RelayMessageParseError) {
                return .success(try parse(buffer, maxDepth: maxDepth))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Parses one relay message from text.
    public static func parse(_ text: String) throws(RelayMessageParseError) -> ReceivedRelayMessage {
        try parse(Array(text.utf8))
    }

    /// Reads the message at the reader's position. A failure inside an `EVENT`'s event object is
    /// thrown as `EventParseError`, with `eventSubscription` set, so the caller can tell it apart.
    private static func read(
        _ reader: inout JSONReader, eventSubscription: inout String?
    ) throws -> ReceivedRelayMessage {
        guard try reader.peek() == UInt8(ascii: "[") else { throw ProtocolViolation("message must be a JSON array") }
        try reader.beginArray()
        var first = true
        guard try reader.nextElement(&first), try reader.peek() == UInt8(ascii: "\"") else {
            throw ProtocolViolation("message must start with its type as a string")
        }
        let type = try reader.readString()
        // Set once `nextElement` has seen the closing bracket: it must not be asked again.
        var ended = false

        func string(_ what: String) throws -> String {
            guard try reader.nextElement(&first) else {
                let article = "aeiou".contains(what.first ?? "x") ? "an" : "a"
                throw ProtocolViolation("\(type) needs \(article) \(what)")
            }
            guard try reader.peek() == UInt8(ascii: "\"") else {
                throw ProtocolViolation("\(type) \(what) must be a string")
            }
            return try reader.readString()
        }
        func optionalString(_ what: String) throws -> String {
            guard try reader.nextElement(&first) else {
                ended = true
                return ""
            }
            guard try reader.peek() == UInt8(ascii: "\"") else {
                throw ProtocolViolation("\(type) \(what) must be a string")
            }
            return try reader.readString()
        }
        func skipRest() throws {
            guard !ended else { return }
            while try reader.nextElement(&first) { try reader.skipValue() }
        }

        let message: ReceivedRelayMessage
        switch type {
        case "EVENT":
            let subscriptionID = try string("subscription id")
            guard try reader.nextElement(&first) else { throw ProtocolViolation("EVENT needs an event") }
            eventSubscription = subscriptionID
            var eventID: EventID?
            do {
                let event = try Event.read(from: &reader, id: &eventID)
                message = .event(subscriptionID: subscriptionID, event: event)
            } catch {
                throw EventParseError(eventID: eventID, reason: Event.reason(for: error))
            }
            eventSubscription = nil
        case "OK":
            let idText = try string("event id")
            guard let eventID = EventID(hex: idText) else {
                throw ProtocolViolation("OK event id must be 64-character lowercase hex")
            }
            guard try reader.nextElement(&first) else { throw ProtocolViolation("OK needs true or false") }
            let literal = try reader.peek()
            guard literal == UInt8(ascii: "t") || literal == UInt8(ascii: "f") else {
                throw ProtocolViolation("OK needs true or false")
            }
            _ = try reader.readLiteral()
            let text = try optionalString("message")
            message = .ok(eventID: eventID, accepted: literal == UInt8(ascii: "t"), message: text)
        case "EOSE":
            message = .endOfStoredEvents(subscriptionID: try string("subscription id"))
        case "CLOSED":
            let subscriptionID = try string("subscription id")
            message = .closed(subscriptionID: subscriptionID, message: try optionalString("message"))
        case "NOTICE":
            message = .notice(try string("message"))
        case "AUTH":
            message = .auth(challenge: try string("challenge"))
        case "COUNT":
            let subscriptionID = try string("subscription id")
            guard try reader.nextElement(&first) else { throw ProtocolViolation("COUNT needs a result object") }
            let (count, approximate) = try readCount(&reader)
            message = .count(subscriptionID: subscriptionID, count: count, approximate: approximate)
        case "NEG-MSG":
            let subscriptionID = try string("subscription id")
            guard let bytes = Hex.decode(try string("hex message")) else {
                throw ProtocolViolation("NEG-MSG message must be lowercase hex")
            }
            message = .negentropyMessage(subscriptionID: subscriptionID, message: bytes)
        case "NEG-ERR":
            let subscriptionID = try string("subscription id")
            message = .negentropyError(subscriptionID: subscriptionID, message: try optionalString("message"))
        default:
            let shown = type.count > 32 ? String(type.prefix(32)) + "..." : type
            throw ProtocolViolation("unknown message type \"\(shown)\"")
        }
        try skipRest()
        return message
    }

    /// Reads COUNT's `{"count": n, "approximate": bool}`; other keys are skipped.
    private static func readCount(_ reader: inout JSONReader) throws -> (Int, Bool) {
        guard try reader.peek() == UInt8(ascii: "{") else { throw ProtocolViolation("COUNT result must be an object") }
        try reader.beginObject()
        var count: Int64?
        var approximate = false
        var first = true
        while let key = try reader.nextKey(&first) {
            if reader.token(key, equals: "count") {
                let value = try reader.readInteger("a count")
                guard value >= 0 else { throw ProtocolViolation("COUNT count must not be negative") }
                count = value
            } else if reader.token(key, equals: "approximate") {
                let literal = try reader.peek()
                guard literal == UInt8(ascii: "t") || literal == UInt8(ascii: "f") else {
                    throw ProtocolViolation("COUNT approximate must be a boolean")
                }
                _ = try reader.readLiteral()
                approximate = literal == UInt8(ascii: "t")
            } else {
                try reader.skipValue()
            }
        }
        guard let count else { throw ProtocolViolation("COUNT result has no count") }
        return (Int(count), approximate)
    }
}
