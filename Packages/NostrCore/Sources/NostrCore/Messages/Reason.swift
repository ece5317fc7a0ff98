/// The machine-readable prefixes of `OK`, `CLOSED` and `NEG-ERR` messages (NIP-01, NIP-42, NIP-77).
public enum ReasonPrefix: String, Sendable, Hashable, CaseIterable {
    /// The event is already stored.
    case duplicate
    /// Proof of work is missing or too low.
    case pow
    /// Refused by policy.
    case blocked
    /// The client sends too much.
    case rateLimited = "rate-limited"
    /// The message or event breaks the protocol.
    case invalid
    /// The client is not allowed to do this.
    case restricted
    /// Nobody was listening (ephemeral events).
    case mute
    /// Something failed on the relay.
    case error
    /// The client must authenticate first (NIP-42).
    case authRequired = "auth-required"
    /// The relay does not implement this.
    case unsupported
    /// The subscription or session was closed by the relay.
    case closed
}

/// A relay's answer text: a machine-readable prefix and a human-readable message, sent as `"prefix: message"`.
public struct Reason: Sendable, Hashable, Error, CustomStringConvertible {
    /// The machine-readable part.
    public var prefix: ReasonPrefix
    /// The human-readable part.
    public var message: String

    /// Creates a reason.
    public init(_ prefix: ReasonPrefix, _ message: String) {
        self.prefix = prefix
        self.message = message
    }

    /// The wire form, `"prefix: message"`.
    public var description: String { "\(prefix.rawValue): \(message)" }

    /// `invalid: message`.
    public static func invalid(_ message: String) -> Reason { Reason(.invalid, message) }
    /// `blocked: message`.
    public static func blocked(_ message: String) -> Reason { Reason(.blocked, message) }
    /// `error: message`.
    public static func error(_ message: String) -> Reason { Reason(.error, message) }
    /// `duplicate: message`.
    public static func duplicate(_ message: String) -> Reason { Reason(.duplicate, message) }
    /// `restricted: message`.
    public static func restricted(_ message: String) -> Reason { Reason(.restricted, message) }
    /// `rate-limited: message`.
    public static func rateLimited(_ message: String) -> Reason { Reason(.rateLimited, message) }
    /// `auth-required: message`.
    public static func authRequired(_ message: String) -> Reason { Reason(.authRequired, message) }
}
