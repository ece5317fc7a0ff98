import PurplePagesConfiguration

/// Which IP a connection counts as (rate limits, daily budget, analytics): the socket peer, or,
/// when the peer is a trusted proxy, the client that proxy reports.
///
/// From a trusted peer, `X-Forwarded-For` comes first: walking back from its nearest hop, past the
/// proxies we trust (which append their own peers), the first other address is the client. It
/// carries the whole chain, so a CDN in front of nginx resolves to the real client when both are
/// in `trusted_proxies`. Without it (or when it names nothing usable), `X-Real-IP` is the
/// client: nginx's documented setup sets it to its own peer, which is the client when nginx is the
/// only proxy. Header values that are not IP addresses are ignored, and from any other peer both
/// headers are, since anyone can send them.
struct ClientAddress {
    let trustedProxies: [CIDR]

    init(trustedProxies: [String]) throws(ConfigurationError) {
        var parsed: [CIDR] = []
        for (index, text) in trustedProxies.enumerated() {
            guard let cidr = CIDR(text) else {
                throw ConfigurationError(file: nil, key: "trusted_proxies[\(index)]", reason: "not a CIDR: \"\(text)\"")
            }
            parsed.append(cidr)
        }
        self.trustedProxies = parsed
    }

    /// The client behind `peer`, given the request's `X-Forwarded-For` and `X-Real-IP` values.
    func resolve(peer: String, forwardedFor: String?, realIP: String? = nil) -> String {
        guard isTrusted(peer) else { return peer }
        if let forwardedFor, let client = nearestUntrusted(forwardedFor) { return client }
        if let realIP, let address = Self.address(realIP) { return address }
        return peer
    }

    /// The nearest address of an `X-Forwarded-For` list that is not a trusted proxy; when all are
    /// trusted, the farthest. Nil when the list is empty, or when the walk meets a value that is
    /// not an address: what lies beyond it was not written by a proxy we trust.
    private func nearestUntrusted(_ forwardedFor: String) -> String? {
        let hops = forwardedFor.split(separator: ",")
        var farthest: String?
        // Walk back from the nearest hop: proxies we trust may have appended their own addresses.
        for hop in hops.reversed() {
            guard let address = Self.address(hop) else { return nil }
            if !isTrusted(address) { return address }
            farthest = address
        }
        return farthest
    }

    /// `text` without surrounding blanks (and an IPv6 address without brackets, so that one client
    /// has one spelling), if it is an IPv4 or IPv6 address.
    private static func address(_ text: some StringProtocol) -> String? {
        var trimmed = Substring(text)
        while let first = trimmed.first, first == " " || first == "\t" { trimmed.removeFirst() }
        while let last = trimmed.last, last == " " || last == "\t" { trimmed.removeLast() }
        if trimmed.hasPrefix("[") && trimmed.hasSuffix("]") { trimmed = trimmed.dropFirst().dropLast() }
        let address = String(trimmed)
        return CIDR.parseAddress(address) != nil ? address : nil
    }

    private func isTrusted(_ address: String) -> Bool {
        guard let bytes = CIDR.parseAddress(address) else { return false }
        return trustedProxies.contains { $0.contains(bytes) }
    }
}
