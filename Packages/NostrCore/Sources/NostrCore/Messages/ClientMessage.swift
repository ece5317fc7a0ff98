/// A message from a client to a relay (NIP-01, NIP-42, NIP-45, NIP-77).
public enum ClientMessage: Sendable, Hashable {
    /// `["EVENT", <event>]`: publish an event.
    case event(Event)
    /// `["REQ", <subscription id>, <filter>...]`: query stored events and subscribe to new ones.
    case request(subscriptionID: String, filters: [Filter])
    /// `["CLOSE", <subscription id>]`: end a subscription.
    case close(subscriptionID: String)
    /// `["COUNT", <subscription id>, <filter>...]`: count matching events (NIP-45).
    case count(subscriptionID: String, filters: [Filter])
    /// `["AUTH", <signed kind 22242 event>]`: authenticate (NIP-42).
    case auth(Event)
    /// `["NEG-OPEN", <subscription id>, <filter>, <hex message>]`: start a negentropy sync (NIP-77).
    case negentropyOpen(subscriptionID: String, filter: Filter, message: [UInt8])
    /// `["NEG-MSG", <subscription id>, <hex message>]`: continue a negentropy sync.
    case negentropyMessage(subscriptionID: String, message: [UInt8])
    /// `["NEG-CLOSE", <subscription id>]`: end a negentropy sync.
    case negentropyClose(subscriptionID: String)
}

/// Why a client message was refused, and how the relay should say so.
public struct ClientMessageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The reply that fits the message that failed.
    public enum Reply: Sendable, Hashable {
        /// `["NOTICE", reason]`: nothing better is known about the message.
        case notice
        /// `["OK", id, false, reason]`: an `EVENT` or `AUTH` whose id could be read.
        case ok(EventID)
        /// `["CLOSED", id, reason]`: a `REQ` or `COUNT` whose subscription id could be read.
        case closed(subscriptionID: String)
        /// `["NEG-ERR", id, reason]`: a negentropy message whose subscription id could be read.
        case negentropyError(subscriptionID: String)
    }

    /// How to answer.
    public var reply: Reply
    /// What to say, with its machine-readable prefix.
    public var reason: Reason

    /// Creates an error answered by `reply` with `reason`.
    public init(reply: Reply, reason: Reason) {
        self.reply = reply
        self.reason = reason
    }

    /// The relay message that answers this error.
    public var relayMessage: RelayMessage {
        switch reply {
        case .notice: return .notice(reason.description)
        case .ok(let id): return .ok(eventID: id, accepted: false, reason: reason)
        case .closed(let subscriptionID): return .closed(subscriptionID: subscriptionID, reason: reason)
        case .negentropyError(let subscriptionID):
            return .negentropyError(subscriptionID: subscriptionID, reason: reason)
        }
    }

    public var description: String { reason.description }
}

extension ClientMessage {
    /// The longest subscription id NIP-01 allows, in characters.
    public static let maxSubscriptionIDLength = 64

    /// Parses one client message strictly. The error says how to answer: `OK false` for an event
    /// whose id could be read, `CLOSED` or `NEG-ERR` for a subscription whose id could be read,
    /// `NOTICE` otherwise; every reason is prefixed `invalid:`.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, maxDepth: Int = 64
    ) throws(ClientMessageError)
        -> ClientMessage
    {
        var reader = JSONReader(bytes, maxDepth: maxDepth)
        var reply = ClientMessageError.Reply.notice
        var eventID: EventID?
        do {
            let message = try read(&reader, reply: &reply, eventID: &eventID)
            try reader.expectEnd()
            return message
        } catch {
            if case .notice = reply, let eventID { reply = .ok(eventID) }
            throw ClientMessageError(reply: reply, reason: Event.reason(for: error))
        }
    }

    /// Parses one client message from bytes.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 64) throws(ClientMessageError) -> ClientMessage {
        let result: Result<ClientMessage, ClientMessageError> = bytes.withUnsafeBytes { buffer in
            do throws(ClientMessageError) {
                return .success(try parse(buffer, maxDepth: maxDepth))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Parses one client message from text.
    public static func parse(_ text: String) throws(ClientMessageError) -> ClientMessage {
        try parse(Array(text.utf8))
    }

    private static func read(
        _ reader: inout JSONReader, reply: inout ClientMessageError.Reply, eventID: inout EventID?
    ) throws -> ClientMessage {
        guard try reader.peek() == UInt8(ascii: "[") else { throw ProtocolViolation("message must be a JSON array") }
        try reader.beginArray()
        var first = true
        guard try reader.nextElement(&first), try reader.peek() == UInt8(ascii: "\"") else {
            throw ProtocolViolation("message must start with its type as a string")
        }
        let typeToken = try reader.readStringToken()
        let type = reader.decodeString(typeToken)

        func nextElement(_ what: String) throws {
            guard try reader.nextElement(&first) else { throw ProtocolViolation("\(type) needs \(what)") }
        }
        func end() throws {
            guard try !reader.nextElement(&first) else { throw ProtocolViolation("too many elements in \(type)") }
        }
        func subscriptionID() throws -> String {
            try nextElement("a subscription id")
            guard try reader.peek() == UInt8(ascii: "\"") else {
                throw ProtocolViolation("\(type) subscription id must be a string")
            }
            let id = try reader.readString()
            let length = id.unicodeScalars.count
            guard length > 0, length <= maxSubscriptionIDLength else {
                throw ProtocolViolation("subscription id must be 1 to \(maxSubscriptionIDLength) characters")
            }
            return id
        }
        func filters(_ subscriptionID: String) throws -> [Filter] {
            var filters: [Filter] = []
            while try reader.nextElement(&first) { filters.append(try Filter.read(from: &reader)) }
            guard !filters.isEmpty else { throw ProtocolViolation("\(type) needs at least one filter") }
            return filters
        }
        func hexMessage() throws -> [UInt8] {
            try nextElement("a hex message")
            guard try reader.peek() == UInt8(ascii: "\"") else {
                throw ProtocolViolation("\(type) message must be a hex string")
            }
            let text = try reader.readString()
            guard let bytes = Hex.decode(text) else { throw ProtocolViolation("\(type) message must be lowercase hex") }
            return bytes
        }

        switch type {
        case "EVENT", "AUTH":
            try nextElement("an event")
            let event = try Event.read(from: &reader, id: &eventID)
            if let eventID { reply = .ok(eventID) }
            try end()
            return type == "EVENT" ? .event(event) : .auth(event)
        case "REQ", "COUNT":
            let id = try subscriptionID()
            reply = .closed(subscriptionID: id)
            let parsed = try filters(id)
            return type == "REQ"
                ? .request(subscriptionID: id, filters: parsed) : .count(subscriptionID: id, filters: parsed)
        case "CLOSE":
            let id = try subscriptionID()
            try end()
            return .close(subscriptionID: id)
        case "NEG-OPEN":
            let id = try subscriptionID()
            reply = .negentropyError(subscriptionID: id)
            try nextElement("a filter")
            let filter = try Filter.read(from: &reader)
            let message = try hexMessage()
            try end()
            return .negentropyOpen(subscriptionID: id, filter: filter, message: message)
        case "NEG-MSG":
            let id = try subscriptionID()
            reply = .negentropyError(subscriptionID: id)
            let message = try hexMessage()
            try end()
            return .negentropyMessage(subscriptionID: id, message: message)
        case "NEG-CLOSE":
            let id = try subscriptionID()
            try end()
            return .negentropyClose(subscriptionID: id)
        default:
            let shown = type.count > 32 ? String(type.prefix(32)) + "..." : type
            throw ProtocolViolation("unknown message type \"\(shown)\"")
        }
    }
}
