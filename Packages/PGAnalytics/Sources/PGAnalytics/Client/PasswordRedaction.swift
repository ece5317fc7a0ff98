import CLibPQ

/// Keeps passwords out of connection errors: libpq quotes parts of a malformed URL back in its
/// messages (`invalid percent-encoded token: "..."`), and errors end up in logs.
enum PasswordRedaction {
    static let mask = "********"

    /// `message` with every spelling of the connection string's password replaced by a mask.
    static func redact(_ message: String, connectionString: String) -> String {
        var passwords = Set<String>()
        // libpq's parse knows every syntax, but fails on the malformed strings that get quoted back.
        if let options = PQconninfoParse(connectionString, nil) {
            defer { PQconninfoFree(options) }
            var option = options
            while let keyword = option.pointee.keyword {
                if String(cString: keyword) == "password", let value = option.pointee.val {
                    passwords.insert(String(cString: value))
                }
                option += 1
            }
        }
        passwords.formUnion(uriPasswords(connectionString))
        var redacted = message
        // Longest first, so that a password containing another candidate is masked whole.
        for password in passwords.sorted(by: { $0.count > $1.count }) where !password.isEmpty {
            redacted = redacted.replacing(password, with: mask)
        }
        return redacted
    }

    /// The password in a `postgresql://user:password@host/...?password=...` URI, raw and decoded.
    private static func uriPasswords(_ uri: String) -> [String] {
        guard let schemeEnd = uri.firstRange(of: "://") else { return [] }
        let rest = uri[schemeEnd.upperBound...]
        var found: [Substring] = []
        // Like libpq, the user part ends at the first `@`, unless a `/` comes first.
        if let at = rest.firstIndex(of: "@"), !rest[..<at].contains("/"),
            let colon = rest[..<at].firstIndex(of: ":")
        {
            found.append(rest[rest.index(after: colon)..<at])
        }
        if let question = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: question)...].split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                if parts.count == 2, parts[0] == "password" { found.append(parts[1]) }
            }
        }
        return found.flatMap { [String($0), percentDecoded($0)].compactMap { $0 } }
    }

    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            else { return nil }
            bytes.append(value)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
