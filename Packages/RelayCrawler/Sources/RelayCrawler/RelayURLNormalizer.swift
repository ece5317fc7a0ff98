import NostrClient

/// Turns the relay URLs people publish (kind 10002 `r` tags, typed by hand into clients) into one
/// canonical spelling, so that the directory holds each relay once and connects only to `ws://` or
/// `wss://` URLs it can read.
///
/// The rules, and where they differ from the Go original's (`purplepages-go.md` §7.2):
/// - whitespace around the URL is trimmed; an empty URL is an error;
/// - a bare host (no scheme) gets `wss://`; any other scheme (`http`, `https`, ...) is an error
///   (the Go code prefixed `wss://` to it, making `https://x` into the host `https`);
/// - scheme and host are lowercased; an IPv6 host keeps its brackets (Go dropped them, giving an
///   invalid URL) in its shortest form, and an IPv4 host in any form the C library reads
///   (`2130706433`, `0x7f.1`) becomes a dotted quad;
/// - the default port (443 for wss, 80 for ws) is dropped, any other kept;
/// - the path and query are kept (Go dropped them, turning `wss://host/nostr` into another relay),
///   less one trailing slash; the fragment is dropped;
/// - user information, an empty host, a bad port, whitespace or control characters inside, a host
///   with characters no host name has, an empty path segment, and URLs over 2,048 bytes are errors.
///
/// It is syntactic only: which addresses may be connected to is `AddressPolicy`'s business (the Go
/// code refused a few literal private addresses here and let every name through).
/// `isObviouslyPrivate` tells the cases that need no DNS.
public enum RelayURLNormalizer {
    /// The longest URL accepted, in UTF-8 bytes.
    public static let maximumBytes = 2048

    /// The canonical form of `raw`, or the reason there is none. Idempotent: a normalized URL
    /// normalizes to itself.
    public static func normalize(_ raw: String) throws(RelayURLError) -> String {
        let text = raw.trimmingWhitespace
        func failure(_ reason: RelayURLError.Reason) -> RelayURLError { RelayURLError(reason, input: raw) }
        guard !text.isEmpty else { throw failure(.empty) }
        guard text.utf8.count <= maximumBytes else { throw failure(.tooLong) }
        guard
            !text.unicodeScalars.contains(where: {
                $0.properties.isWhitespace || $0.properties.generalCategory == .control
            })
        else { throw failure(.whitespaceOrControl) }

        var scheme = "wss"
        var rest = Substring(text)
        if let separator = text.range(of: "://") {
            scheme = text[..<separator.lowerBound].lowercased()
            guard scheme == "ws" || scheme == "wss" else {
                throw failure(.unsupportedScheme(String(scheme.prefix(20))))
            }
            rest = text[separator.upperBound...]
        }
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[mark...]
            rest = rest[..<mark]
        }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = rest[authorityEnd...]
        guard !authority.contains("@") else { throw failure(.credentials) }

        let (host, port) = try hostAndPort(authority, failure: failure)
        let defaultPort = scheme == "wss" ? 443 : 80
        let portText = port.map { $0 == defaultPort ? "" : ":\($0)" } ?? ""

        // Checked before the trailing slash goes, or "wss://host//" would become "wss://host/".
        guard !path.contains("//") else { throw failure(.emptyPathSegment) }
        if path.hasSuffix("/") { path = path.dropLast() }
        // A lone "?" asks for nothing: the same URL without it.
        let queryText = query == "?" ? "" : query
        return "\(scheme)://\(host)\(portText)\(path)\(queryText)"
    }

    /// Whether the normalized URL's host is one that `AddressPolicy.publicOnly` refuses without a
    /// DNS lookup: `localhost` (and `*.localhost`), `.onion`, `.local`, or an IP address literal that
    /// is not public unicast. Discovery uses it to skip such URLs at once when private addresses are
    /// not allowed; a name that resolves to a private address is still caught when connecting. A
    /// string it cannot read is reported as private, so that it is skipped too.
    public static func isObviouslyPrivate(_ normalized: String) -> Bool {
        guard let separator = normalized.range(of: "://") else { return true }
        let rest = normalized[separator.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let host: Substring
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return true }
            host = authority[...close]
        } else {
            host = authority.prefix { $0 != ":" }
        }
        guard !host.isEmpty else { return true }
        if let address = IPAddressLiteral.bytes(String(host)) {
            return !IPAddressClassifier.isPublicUnicast(address)
        }
        return AddressPolicy.refusalWithoutLookup(host: String(host)) != nil
    }

    /// The canonical host (bracketed if IPv6) and the port, if one was written.
    private static func hostAndPort(
        _ authority: Substring, failure: (RelayURLError.Reason) -> RelayURLError
    ) throws(RelayURLError) -> (String, Int?) {
        var hostPart: Substring
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw failure(.invalidHost) }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw failure(.invalidHost) }
                portPart = after.dropFirst()
            }
        } else if let colon = authority.firstIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        } else {
            hostPart = authority
        }
        guard !hostPart.isEmpty else { throw failure(.missingHost) }
        var port: Int?
        if let portPart {
            guard portPart.count <= 5, portPart.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(portPart),
                (1...65535).contains(number)
            else { throw failure(.invalidPort) }
            port = number
        }
        guard let host = canonicalHost(hostPart, bracketed: authority.hasPrefix("[")) else {
            throw failure(.invalidHost)
        }
        return (host, port)
    }

    /// The host in canonical form, or nil if it is not a host: an IPv6 address in its shortest form,
    /// an IPv4 address as a dotted quad, or a lowercased host name of letters, digits, `-`, `_` and
    /// dots (no empty label, labels up to 63 and the name up to 253 characters, a final dot
    /// dropped). Non-ASCII and percent-encoded names are refused rather than decoded.
    private static func canonicalHost(_ host: Substring, bracketed: Bool) -> String? {
        if bracketed {
            guard host.contains(":"), let address = IPAddressLiteral.bytes(String(host)), address.count == 16,
                !host.contains("%"), let text = IPAddressLiteral.text(address)
            else { return nil }
            return "[\(text)]"
        }
        var name = host.lowercased()
        guard
            name.unicodeScalars.allSatisfy({
                ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "." || $0 == "_"
            })
        else { return nil }
        if let address = IPAddressLiteral.bytes(name), let text = IPAddressLiteral.text(address) { return text }
        if name.hasSuffix(".") { name.removeLast() }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard name.count <= 253, labels.allSatisfy({ !$0.isEmpty && $0.count <= 63 }) else { return nil }
        return name
    }
}

extension String {
    /// The string without leading and trailing whitespace (Unicode's definition, newlines included).
    fileprivate var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
