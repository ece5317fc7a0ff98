/// Why a relay URL found in the wild was not accepted by `RelayURLNormalizer`.
public struct RelayURLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with the URL.
    public enum Reason: Sendable, Equatable {
        /// Nothing but whitespace.
        case empty
        /// Longer than `RelayURLNormalizer.maximumBytes`.
        case tooLong
        /// Whitespace or a control character inside the URL.
        case whitespaceOrControl
        /// A scheme other than `ws` or `wss` (lowercased, as written).
        case unsupportedScheme(String)
        /// A user name or password (`user:pw@host`): never sent to a relay, and a way to smuggle a
        /// different host past a naive reader.
        case credentials
        /// No host before the port, path or query.
        case missingHost
        /// The host has a character a host name cannot have, an empty label, or is too long; or the
        /// bracketed IPv6 address does not parse.
        case invalidHost
        /// The port is not a number from 1 to 65535.
        case invalidPort
        /// The path has an empty segment (`//`), as `ws//host` or `wss://host//x` would give.
        case emptyPathSegment
    }

    /// What is wrong.
    public let reason: Reason
    /// The URL as given (its first 200 characters), for the log line.
    public let input: String

    /// An error for `input` (kept to its first 200 characters).
    public init(_ reason: Reason, input: String) {
        self.reason = reason
        self.input = String(input.prefix(200))
    }

    /// The reason in words, then the URL.
    public var description: String {
        let why =
            switch reason {
            case .empty: "empty"
            case .tooLong: "longer than \(RelayURLNormalizer.maximumBytes) bytes"
            case .whitespaceOrControl: "whitespace or a control character inside"
            case .unsupportedScheme(let scheme): "the scheme \"\(scheme)\" is not ws or wss"
            case .credentials: "user information (credentials) is not accepted"
            case .missingHost: "no host"
            case .invalidHost: "not a valid host name or IP address"
            case .invalidPort: "the port must be 1 to 65535"
            case .emptyPathSegment: "the path has an empty segment (//)"
            }
        return "invalid relay URL \"\(input)\": \(why)"
    }
}
