import NostrCore

/// A message from a relay, typed. Events arrive already checked: id, signature, then the
/// configuration's `eventCheck`.
public enum RelayResponse: Sendable, Equatable {
    /// `["EVENT", sub, event]` with an event that passed every check.
    case event(subscriptionID: String, event: Event)
    /// An `EVENT` whose event failed its id, signature or `eventCheck`, or could not be parsed: never
    /// handed on as an `Event`.
    case invalidEvent(subscriptionID: String, reason: Reason)
    /// `["EOSE", sub]`: the stored events have all been sent.
    case endOfStoredEvents(subscriptionID: String)
    /// `["CLOSED", sub, message]`: the relay ended or refused a subscription.
    case closed(subscriptionID: String, message: String)
    /// `["OK", id, accepted, message]`: the answer to a published event (or an AUTH).
    case ok(eventID: EventID, accepted: Bool, message: String)
    /// `["NOTICE", message]`.
    case notice(String)
    /// `["AUTH", challenge]` (NIP-42); answered first when the configuration has a key.
    case auth(challenge: String)
    /// `["COUNT", sub, {"count": n, "approximate": bool}]` (NIP-45).
    case count(subscriptionID: String, count: Int, approximate: Bool)
    /// `["NEG-MSG", sub, hex]` (NIP-77), the hex decoded.
    case negentropyMessage(subscriptionID: String, message: [UInt8])
    /// `["NEG-ERR", sub, message]` (NIP-77).
    case negentropyError(subscriptionID: String, message: String)
    /// A message that is not NIP-01 JSON we understand, or a binary message: what is wrong, then the
    /// start of the text (cut to `RelayResponse.displayLength` bytes). Reported, not fatal.
    case malformed(String)

    /// How much of a malformed message `.malformed` shows, in bytes.
    public static let displayLength = 200
}

/// Turns the relay's messages into `RelayResponse`s, checking every event; one per connection, so
/// its key cache serves every event of that connection.
struct ResponseDecoder: Sendable {
    let keyCache: PublicKeyCache
    let eventCheck: (@Sendable (Event) -> Reason?)?

    init(eventCheck: (@Sendable (Event) -> Reason?)?, keyCache: PublicKeyCache?) {
        self.keyCache = keyCache ?? PublicKeyCache(capacity: 4096)
        self.eventCheck = eventCheck
    }

    /// The response for one text message's bytes.
    func decode(_ bytes: UnsafeRawBufferPointer) -> RelayResponse {
        let message: ReceivedRelayMessage
        do {
            message = try ReceivedRelayMessage.parse(bytes)
        } catch {
            if let subscriptionID = error.subscriptionID {
                return .invalidEvent(subscriptionID: subscriptionID, reason: error.reason)
            }
            return .malformed("\(error.reason): \(Self.display(bytes))")
        }
        switch message {
        case .event(let subscriptionID, let event):
            do {
                try event.validate(keyCache: keyCache)
            } catch {
                return .invalidEvent(subscriptionID: subscriptionID, reason: error.reason)
            }
            if let reason = eventCheck?(event) { return .invalidEvent(subscriptionID: subscriptionID, reason: reason) }
            return .event(subscriptionID: subscriptionID, event: event)
        case .ok(let eventID, let accepted, let text): return .ok(eventID: eventID, accepted: accepted, message: text)
        case .endOfStoredEvents(let subscriptionID): return .endOfStoredEvents(subscriptionID: subscriptionID)
        case .closed(let subscriptionID, let text): return .closed(subscriptionID: subscriptionID, message: text)
        case .notice(let text): return .notice(text)
        case .auth(let challenge): return .auth(challenge: challenge)
        case .count(let subscriptionID, let count, let approximate):
            return .count(subscriptionID: subscriptionID, count: count, approximate: approximate)
        case .negentropyMessage(let subscriptionID, let bytes):
            return .negentropyMessage(subscriptionID: subscriptionID, message: bytes)
        case .negentropyError(let subscriptionID, let text):
            return .negentropyError(subscriptionID: subscriptionID, message: text)
        }
    }

    /// The start of a message for display: at most `displayLength` bytes, cut on a character
    /// boundary (invalid UTF-8 shown as U+FFFD), with "..." when cut.
    static func display(_ bytes: UnsafeRawBufferPointer) -> String {
        guard bytes.count > RelayResponse.displayLength else { return String(decoding: bytes, as: UTF8.self) }
        var end = RelayResponse.displayLength
        // Back up over continuation bytes (10xxxxxx) so no character is split.
        while end > 0 && bytes[end] & 0xC0 == 0x80 { end -= 1 }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[..<end]), as: UTF8.self) + "..."
    }
}

extension RelayResponse {
    /// Whether this response answers as `.invalidEvent` (counted in the statistics).
    var isInvalidEvent: Bool {
        if case .invalidEvent = self { return true }
        return false
    }
}
