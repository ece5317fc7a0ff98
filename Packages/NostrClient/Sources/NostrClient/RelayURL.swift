/// A relay's `ws://` or `wss://` URL, taken apart for connecting.
struct RelayURL: Sendable, Equatable {
    /// The URL as given (whitespace trimmed): what NIP-42 answers name in their `relay` tag.
    var text: String
    /// Whether the connection uses TLS (`wss://`).
    var usesTLS: Bool
    /// The host name or IP address, without IPv6 brackets.
    var host: String
    /// The TCP port: the URL's, or 443 for `wss://` and 80 for `ws://`.
    var port: Int
    /// Whether the port was written in the URL (then the `Host` header carries it).
    var hasExplicitPort: Bool
    /// The path and query to request, at least "/".
    var target: String

    /// Whether `host` is an IPv4 or IPv6 literal (TLS then sends no server name).
    var hostIsIPAddress: Bool {
        host.contains(":")
            || (host.split(separator: ".").count == 4 && host.allSatisfy { $0 == "." || $0.isASCII && $0.isNumber })
    }

    /// The `Host` header: host (bracketed if IPv6) and the port if one was written.
    var hostHeader: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return hasExplicitPort ? "\(bracketed):\(port)" : bracketed
    }

    /// Parses `ws://host[:port][/path][?query]` or `wss://...`; the scheme and host are not case
    /// sensitive and a fragment is dropped. Anything else throws `RelayClientError.invalidURL`.
    init(_ url: String) throws(RelayClientError) {
        let text = url.trimmingWhitespace
        func invalid(_ why: String) -> RelayClientError { .invalidURL("\(why): \"\(url.prefix(200))\"") }
        guard let schemeEnd = text.range(of: "://") else { throw invalid("no ws:// or wss:// scheme") }
        switch text[..<schemeEnd.lowerBound].lowercased() {
        case "ws": usesTLS = false
        case "wss": usesTLS = true
        default: throw invalid("the scheme must be ws or wss")
        }
        var rest = text[schemeEnd.upperBound...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let path = rest[authorityEnd...]
        guard !authority.contains("@") else { throw invalid("user information is not supported") }
        guard !text.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } == true })
        else { throw invalid("the URL contains whitespace or control characters") }

        var hostPart: Substring
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw invalid("unclosed IPv6 bracket") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid("unexpected text after the IPv6 address") }
                portPart = after.dropFirst()
            }
        } else if let colon = authority.firstIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        } else {
            hostPart = authority
        }
        guard !hostPart.isEmpty else { throw invalid("no host") }
        if let portPart {
            guard let port = Int(portPart), (1...65535).contains(port), portPart.allSatisfy(\.isASCII) else {
                throw invalid("the port must be 1 to 65535")
            }
            self.port = port
            hasExplicitPort = true
        } else {
            port = usesTLS ? 443 : 80
            hasExplicitPort = false
        }
        self.text = text
        host = hostPart.lowercased()
        target = path.isEmpty ? "/" : (path.hasPrefix("?") ? "/" + path : String(path))
    }
}

extension String {
    /// The string without leading and trailing whitespace.
    var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
