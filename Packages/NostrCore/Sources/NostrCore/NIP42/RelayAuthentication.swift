/// NIP-42 client authentication: the kind 22242 event a client signs to prove who it is.
public enum RelayAuthentication {
    /// The kind of authentication events.
    public static let kind: Kind = .clientAuthentication
    /// How far `created_at` may be from the relay's clock, in seconds (NIP-42 suggests about ten minutes).
    public static let defaultTimeWindow: Int64 = 600

    /// Why an authentication event was refused.
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// The event is not kind 22242.
        case wrongKind(Kind)
        /// The event has no `challenge` tag.
        case missingChallenge
        /// The `challenge` tag is not the one this connection was sent.
        case challengeMismatch
        /// The event has no `relay` tag.
        case missingRelay
        /// The `relay` tag names another relay.
        case relayMismatch(String)
        /// `created_at` is too far from the relay's clock.
        case outOfTimeWindow(createdAt: Int64, now: Int64)
        /// The id or signature is wrong.
        case invalidEvent(EventValidationError)

        /// The answer for `["OK", id, false, reason]`.
        public var reason: Reason {
            switch self {
            case .wrongKind(let kind): return .invalid("auth event must be kind 22242, not \(kind)")
            case .missingChallenge: return .invalid("auth event has no challenge tag")
            case .challengeMismatch: return .invalid("auth challenge does not match")
            case .missingRelay: return .invalid("auth event has no relay tag")
            case .relayMismatch(let relay): return .invalid("auth event is for another relay: \(relay)")
            case .outOfTimeWindow: return .invalid("auth event created_at is too far from now")
            case .invalidEvent(let error): return error.reason
            }
        }

        public var description: String { reason.description }
    }

    /// Builds and signs the authentication event answering `challenge` for `relayURL`.
    public static func makeEvent(challenge: String, relayURL: String, keyPair: KeyPair, createdAt: Int64) -> Event {
        keyPair.sign(
            kind: kind, tags: [["relay", relayURL], ["challenge", challenge]], content: "",
            createdAt: createdAt)
    }

    /// Checks an authentication event: kind 22242, valid id and signature, `challenge` tag equal to
    /// the one the relay sent, `relay` tag naming this relay (compared after normalising the URL),
    /// and `created_at` within `timeWindow` seconds of `now`. Returns the authenticated key.
    /// `matchingHostOnly` compares only host and port, for relays behind TLS-terminating proxies
    /// that cannot know the scheme and path clients used.
    @discardableResult
    public static func validate(
        _ event: Event, challenge: String, relayURL: String, now: Int64, timeWindow: Int64 = defaultTimeWindow,
        matchingHostOnly: Bool = false
    ) throws(Failure) -> PublicKey {
        guard event.kind == kind else { throw .wrongKind(event.kind) }
        guard abs(event.createdAt - now) <= timeWindow else {
            throw .outOfTimeWindow(createdAt: event.createdAt, now: now)
        }
        guard let sentChallenge = event.tags.first(named: "challenge")?.value else { throw .missingChallenge }
        guard constantTimeEquals(sentChallenge, challenge) else { throw .challengeMismatch }
        guard let relay = event.tags.first(named: "relay")?.value else { throw .missingRelay }
        let matches =
            matchingHostOnly
            ? host(of: normalizedRelayURL(relay)) == host(of: normalizedRelayURL(relayURL))
            : normalizedRelayURL(relay) == normalizedRelayURL(relayURL)
        guard matches else { throw .relayMismatch(relay) }
        do {
            try event.validate()
        } catch {
            throw .invalidEvent(error)
        }
        return event.pubkey
    }

    /// A relay URL reduced to what identifies the relay: lowercase scheme and host, no default port
    /// (80 for ws, 443 for wss), no trailing slash, no query or fragment.
    public static func normalizedRelayURL(_ url: String) -> String {
        var text = url.trimmingWhitespace()
        if let cut = text.firstIndex(where: { $0 == "?" || $0 == "#" }) { text = String(text[..<cut]) }
        var scheme = ""
        let utf8 = Array(text.utf8)
        if let colon = utf8.firstIndex(of: UInt8(ascii: ":")), utf8[colon...].starts(with: "://".utf8) {
            scheme = String(decoding: utf8[..<colon], as: UTF8.self).lowercased()
            text = String(decoding: utf8[(colon + 3)...], as: UTF8.self)
        }
        let slash = text.firstIndex(of: "/") ?? text.endIndex
        var authority = text[..<slash].lowercased()
        var path = String(text[slash...])
        while path.hasSuffix("/") { path.removeLast() }
        if (scheme == "wss" || scheme == "https") && authority.hasSuffix(":443") { authority.removeLast(4) }
        if (scheme == "ws" || scheme == "http") && authority.hasSuffix(":80") { authority.removeLast(3) }
        return (scheme.isEmpty ? "" : scheme + "://") + authority + path
    }

    /// The authority (host and port, default ports dropped) of a normalised URL.
    static func host(of normalized: String) -> Substring {
        var text = Substring(normalized)
        if let separator = text.firstRange(of: "://") { text = text[separator.upperBound...] }
        return text.prefix { $0 != "/" }
    }

    /// Compares two strings in time that depends only on their lengths.
    static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
