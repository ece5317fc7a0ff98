/// Why a relay connection could not be made or used. Every case says what happened, in words fit
/// for a log line.
public enum RelayClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The URL is not `ws://` or `wss://` with a host (and a valid port, if any).
    case invalidURL(String)
    /// The `addressPolicy` forbids the host, or every address it resolves to; no connection was
    /// attempted. The text names the URL, the host and the addresses refused.
    case addressRefused(String)
    /// DNS, a refused or reset connection, TLS, or a refused WebSocket upgrade.
    case connectionFailed(String)
    /// Connecting took longer than `connectTimeout`, or nothing arrived within a `receive` timeout.
    case timedOut(String)
    /// The connection has ended: the relay closed it, it was idle too long, a message was too large,
    /// the network failed, or the client closed it; the text says which.
    case closed(String)

    /// The error in words: its kind, then what happened.
    public var description: String {
        switch self {
        case .invalidURL(let text): "invalid relay URL: \(text)"
        case .addressRefused(let text): "address refused: \(text)"
        case .connectionFailed(let text): "connection failed: \(text)"
        case .timedOut(let text): "timed out: \(text)"
        case .closed(let text): "connection closed: \(text)"
        }
    }
}
