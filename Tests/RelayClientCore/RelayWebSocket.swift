import HummingbirdWSClient
import Logging
import NIOCore
import Synchronization

/// A WebSocket connection to a Nostr relay, the part the test client (`NostrTestClient`) and the
/// relay benchmark share: it connects, consumes the relay's `["AUTH", challenge]` greeting, sends
/// text and binary frames, queues what the relay sends as `RelayFrame`s stamped with their
/// arrival, hands them out with bounded waits, and closes.
public final class RelayWebSocket: Sendable {
    /// The relay's URL.
    public let url: String
    /// The NIP-42 challenge the relay greeted this connection with.
    public let challenge: String
    /// How long a wait lasts unless told otherwise.
    public let timeout: Duration
    private let outbound: WebSocketOutboundWriter
    private let inbox: WaitQueue<RelayFrame>
    private let connection: Task<WebSocketCloseFrame?, any Error>

    private init(
        url: String, challenge: String, timeout: Duration, outbound: WebSocketOutboundWriter,
        inbox: WaitQueue<RelayFrame>, connection: Task<WebSocketCloseFrame?, any Error>
    ) {
        self.url = url
        self.challenge = challenge
        self.timeout = timeout
        self.outbound = outbound
        self.inbox = inbox
        self.connection = connection
    }

    /// Connects to `url` and waits (at most `timeout`, which also bounds later waits unless they
    /// say otherwise) for the relay's AUTH greeting. Messages may be up to `maxMessageSize` bytes;
    /// `extensions` are offered in the handshake; `inspect` sees every message as it arrives, before
    /// a text message is queued (binary ones are not queued: relays send text).
    public static func connect(
        url: String, timeout: Duration, maxMessageSize: Int = 1 << 20,
        extensions: [WebSocketExtensionFactory] = [], logLabel: String = "relay-websocket",
        inspect: (@Sendable (WebSocketMessage) -> Void)? = nil
    ) async throws -> RelayWebSocket {
        let inbox = WaitQueue<RelayFrame>()
        let writer = Mutex<WebSocketOutboundWriter?>(nil)
        var logger = Logger(label: logLabel)
        logger.logLevel = .error
        let connection = Task {
            defer { inbox.finish() }
            return try await WebSocketClient.connect(
                url: url, configuration: .init(maxFrameSize: maxMessageSize, extensions: extensions), logger: logger
            ) { inbound, outbound, _ in
                writer.withLock { $0 = outbound }
                for try await message in inbound.messages(maxSize: maxMessageSize) {
                    let arrival = ContinuousClock.now
                    inspect?(message)
                    if case .text(let text) = message { inbox.push(RelayFrame(text, at: arrival)) }
                }
            }
        }
        guard let greeting = await inbox.take(timeout: timeout) else {
            connection.cancel()
            let outcome = await connection.result
            throw RelayConnectionError("no greeting from \(url) (connection: \(outcome))")
        }
        guard greeting.type == "AUTH", let challenge = greeting.string(1), !challenge.isEmpty,
            let outbound = writer.withLock({ $0 })
        else {
            connection.cancel()
            throw RelayConnectionError("the first message of \(url) is not [\"AUTH\", challenge]: \(greeting.text)")
        }
        return RelayWebSocket(
            url: url, challenge: challenge, timeout: timeout, outbound: outbound, inbox: inbox,
            connection: connection)
    }

    /// Sends `text` as one text frame.
    public func send(_ text: String) async throws {
        try await outbound.write(.text(text))
    }

    /// Sends `bytes` as one binary frame.
    public func send(binary bytes: [UInt8]) async throws {
        try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
    }

    /// The oldest message not taken yet, waiting up to `timeout` (the connection's, unless given);
    /// nil on timeout or once the connection has ended.
    public func next(timeout: Duration? = nil) async -> RelayFrame? {
        await inbox.take(timeout: timeout ?? self.timeout)
    }

    /// The oldest message (queued or to come) that `predicate` accepts, leaving the others queued;
    /// nil on timeout or once the connection has ended.
    public func take(
        timeout: Duration? = nil, where predicate: @escaping @Sendable (RelayFrame) -> Bool
    ) async -> RelayFrame? {
        await inbox.take(timeout: timeout ?? self.timeout, where: predicate)
    }

    /// Messages received and not taken yet.
    public var pending: [RelayFrame] { inbox.pending }

    /// Whether the connection has ended.
    public var isClosed: Bool { inbox.isFinished }

    /// Waits until the connection has ended (the relay closed it); false if it is still open after
    /// `timeout`. Takes the reader's place while it waits.
    public func waitUntilClosed(timeout: Duration) async -> Bool {
        await inbox.waitUntilFinished(timeout: timeout)
    }

    /// Closes the connection (close handshake), giving up on the handshake after 5 s.
    public func close() async {
        try? await outbound.close(.normalClosure, reason: nil)
        let connection = connection
        let giveUp = Task {
            try await Task.sleep(for: .seconds(5))
            connection.cancel()
        }
        _ = await connection.result
        giveUp.cancel()
        inbox.finish()
    }
}
