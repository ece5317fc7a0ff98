import NIOSSL
import NostrCore

/// How a client connection behaves; every buffer and wait bounded.
public struct RelayClientConfiguration: Sendable {
    /// How long `RelayClient.connect` may take: DNS, TCP, TLS and the WebSocket upgrade together.
    /// When it passes, the half-open socket is closed, not left to the operating system.
    public var connectTimeout: Duration = .seconds(10)
    /// Nothing from the relay (no message, no pong) this long while we are ready to read: the
    /// connection is closed. Time the client spends not reading (a full inbox) does not count.
    public var idleTimeout: Duration = .seconds(120)
    /// How often a WebSocket ping is sent while the client is reading, so that a quiet but live relay
    /// answers (and so stays within `idleTimeout`) and proxies keep the connection open.
    public var pingInterval: Duration = .seconds(30)
    /// The largest message accepted from the relay, in bytes (after decompression); a larger one
    /// closes the connection with status 1009.
    public var maxMessageBytes: Int = 4 << 20
    /// How many parsed messages are buffered for `receive`. When the inbox is full the client stops
    /// reading the socket (TCP backpressure) until `receive` makes room; it never grows.
    public var inboxMessages: Int = 1024
    /// The most bytes of messages (as the relay sent them) buffered for `receive`; the same
    /// backpressure applies. A single message larger than this still passes through an empty inbox.
    public var inboxBytes: Int = 32 << 20
    /// When set, the relay's `["AUTH", challenge]` is answered with a signed kind 22242 event
    /// (NIP-42: tags `relay` and `challenge`); the `.auth` message is still delivered.
    public var authenticationKey: SecretKey? = nil
    /// Whether to offer permessage-deflate (RFC 7692); used only if the relay accepts it.
    public var compression: Bool = true
    /// A policy applied to every event after its id and signature were checked (callers pass the
    /// relay's `EventPolicy` here); an event it returns a reason for arrives as `.invalidEvent`.
    public var eventCheck: (@Sendable (Event) -> Reason?)? = nil
    /// TLS for `wss://` URLs; nil means `TLSConfiguration.makeClientConfiguration()`: the system's
    /// trust roots, full certificate and host name verification. Set it to trust other roots.
    public var tlsConfiguration: TLSConfiguration? = nil
    /// The cache of lifted public keys that signature checks use; nil gives each client one of its
    /// own (4,096 keys). Clients of one process may share one (it is thread-safe and bounded).
    public var keyCache: PublicKeyCache? = nil
    /// Which addresses the client may connect to. The crawler sets `.publicOnly`, since the URLs it
    /// follows come from other people's events; `purplepages sync URL`, typed by the operator,
    /// keeps `.any` so that a relay on the local network or this machine can be synced with.
    public var addressPolicy: AddressPolicy = .any
    /// How long `close()` waits for the relay to answer the close frame before dropping the socket.
    public var closeTimeout: Duration = .seconds(2)

    /// The defaults above.
    public init() {}
}
