import PurplePagesConfiguration

/// Which IP a connection counts as: the socket peer, or, when the peer is a trusted proxy, the
/// address that proxy reports in `X-Forwarded-For` (the nearest one not itself a trusted proxy).
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

    func resolve(peer: String, forwardedFor: String?) -> String {
        guard let forwardedFor, isTrusted(peer) else { return peer }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: " ") }.filter { !$0.isEmpty }
        // Walk back from the nearest hop: proxies we trust may have appended their own addresses.
        for hop in hops.reversed() where !isTrusted(hop) { return hop }
        return hops.first ?? peer
    }

    private func isTrusted(_ address: String) -> Bool {
        guard let bytes = CIDR.parseAddress(address) else { return false }
        return trustedProxies.contains { $0.contains(bytes) }
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var text = self
        while text.first == set { text.removeFirst() }
        while text.last == set { text.removeLast() }
        return String(text)
    }
}
