import HummingbirdWSClient
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import NIOWebSocket
import NostrCore
import Synchronization

/// A connection to one Nostr relay: send `ClientMessage`s, receive typed and checked
/// `RelayResponse`s.
///
/// Every buffer and wait is bounded (see `RelayClientConfiguration`): connecting, each `receive`,
/// the relay's silence, the size of its messages, how many of them are buffered (when the inbox is
/// full the socket is not read, so a flooding relay is slowed by TCP, not held in memory) and
/// closing. Call `close()` when done; a client that is dropped without it drops its socket.
public final class RelayClient: Sendable {
    /// The relay's URL, as given to `connect` (whitespace trimmed).
    public let url: String
    private let state: ConnectionState
    private let inbox: Inbox
    private let connection: Task<Void, Never>
    private let closeTimeout: Duration
    private let closing = Mutex(false)

    private init(state: ConnectionState, inbox: Inbox, connection: Task<Void, Never>, closeTimeout: Duration) {
        self.url = state.url.text
        self.state = state
        self.inbox = inbox
        self.connection = connection
        self.closeTimeout = closeTimeout
    }

    deinit {
        inbox.discard()
        state.channel?.close(promise: nil)
    }

    /// Connects to the relay at `url` (`ws://` or `wss://`), offering permessage-deflate if the
    /// configuration says so, within `connectTimeout`. Throws `RelayClientError`: `.invalidURL`,
    /// `.addressRefused` (the host is not allowed by `addressPolicy`; nothing was sent to it),
    /// `.connectionFailed` (DNS, refused, TLS, upgrade refused) or `.timedOut`; `CancellationError`
    /// if the task is cancelled meanwhile (the half-made connection is closed).
    ///
    /// The address policy is applied on every call, with a fresh DNS answer, so a caller that
    /// reconnects is checked again. Redirects are never followed: the upgrade must be answered with
    /// `101 Switching Protocols`, and any other answer, a `3xx` with a `Location` included, fails the
    /// connect with `.connectionFailed`, so a relay cannot send the client past the policy.
    public static func connect(
        to url: String, configuration: RelayClientConfiguration = .init(),
        logger: Logger = Logger(label: "nostr-client")
    ) async throws -> RelayClient {
        let relayURL = try RelayURL(url)
        let started = ContinuousClock.now
        let group = MultiThreadedEventLoopGroup.singleton
        let host = try await AddressResolver.connectHost(
            for: relayURL, policy: configuration.addressPolicy, timeout: configuration.connectTimeout,
            on: group.any())
        var sslContext: NIOSSLContext?
        if relayURL.usesTLS {
            do {
                sslContext =
                    try configuration.tlsConfiguration.map { try NIOSSLContext(configuration: $0) }
                    ?? Self.systemTrustContext.get()
            } catch {
                throw RelayClientError.connectionFailed("\(relayURL.text): TLS configuration: \(error)")
            }
        }
        let state = ConnectionState(url: relayURL)
        let inbox = Inbox(
            capacity: configuration.inboxMessages, byteCapacity: configuration.inboxBytes, eventLoop: group.any())
        let reader = ConnectionReader(
            state: state, inbox: inbox,
            decoder: ResponseDecoder(eventCheck: configuration.eventCheck, keyCache: configuration.keyCache),
            maxMessageBytes: configuration.maxMessageBytes,
            authenticationKey: configuration.authenticationKey.map(KeyPair.init(secretKey:)))
        let channel = RelayConnectionChannel(
            url: relayURL, configuration: configuration, state: state, sslContext: sslContext
        ) { inbound, outbound, _ in
            try await reader.run(inbound: inbound, outbound: outbound)
        }
        let client = ClientConnection(
            channel, address: .hostname(host, port: relayURL.port), eventLoopGroup: group, logger: logger)
        let connection = Task {
            do {
                try await client.run()
                state.connectionEnded(error: nil)
            } catch {
                state.connectionEnded(error: error)
            }
            inbox.finish()
        }
        // The DNS lookup above counts against the same budget.
        let remaining = configuration.connectTimeout - (ContinuousClock.now - started)
        switch await state.waitUntilConnected(timeout: remaining, on: group.any()) {
        case .success:
            let relayClient = RelayClient(
                state: state, inbox: inbox, connection: connection, closeTimeout: configuration.closeTimeout)
            if Task.isCancelled {
                await relayClient.close()
                throw CancellationError()
            }
            return relayClient
        case .failure(let error):
            // The channel is closed already (see ConnectionState.resolveConnect); the task ends with it.
            try Task.checkCancellation()
            throw error
        }
    }

    /// Sends `message` as one text frame. Throws `RelayClientError.closed` once the connection is gone
    /// (`CancellationError` if the task is cancelled).
    public func send(_ message: ClientMessage) async throws {
        guard let outbound = state.outbound else { throw RelayClientError.closed(endingDescription) }
        do {
            try await outbound.write(.custom(.text(message.encoded)))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw RelayClientError.closed(state.ending?.description ?? "sending failed: \(error)")
        }
        state.statistics.messagesSent.add(1)
    }

    /// The next message from the relay, waiting at most `timeout`. Throws `RelayClientError.timedOut`
    /// if none came in time, `RelayClientError.closed` (saying why) once the connection has ended
    /// and every message received before was taken, and `CancellationError` if the task is cancelled
    /// while waiting. Several tasks may wait at once; each message goes to one of them.
    public func receive(timeout: Duration) async throws -> RelayResponse {
        switch await inbox.take(timeout: timeout) {
        case .response(let response): return response
        case .timedOut: throw RelayClientError.timedOut("nothing from \(url) within \(timeout)")
        case .finished: throw RelayClientError.closed(endingDescription)
        case .cancelled: throw CancellationError()
        }
    }

    /// What went over the connection so far.
    public var statistics: RelayClientStatistics { state.statistics.snapshot }

    /// Whether the relay accepted permessage-deflate.
    public var isCompressed: Bool { state.compressed.load(ordering: .relaxed) }

    /// Why the connection ended, in words; nil while it is up.
    public var closeReason: String? { state.ending?.description }

    /// Sends a close frame, waits at most `closeTimeout` for the relay's answer, then drops the socket
    /// and everything buffered. Idempotent: later calls wait for the same end.
    public func close() async {
        let first = closing.withLock { closing in
            defer { closing = true }
            return !closing
        }
        if first {
            let outbound = state.outbound
            state.record(.closedByClient)
            inbox.discard()
            if let channel = state.channel {
                // The bound on the close handshake: whatever happens, the socket goes at this point.
                channel.eventLoop.scheduleTask(in: TimeAmount(closeTimeout)) { channel.close(promise: nil) }
            }
            try? await outbound?.close(.normalClosure, reason: nil)
        }
        await connection.value
    }

    /// The most responses the inbox ever held at once (for tests: never over `inboxMessages`).
    var inboxHighWater: Int { inbox.highWater }

    /// The most bytes the inbox ever held at once (for tests: never over `inboxBytes`).
    var inboxHighWaterBytes: Int { inbox.highWaterBytes }

    /// Responses waiting in the inbox now.
    var inboxCount: Int { inbox.count }

    /// The TLS context of every `wss://` connection without a `tlsConfiguration`, made once: it loads
    /// the system's trust roots, which a crawler would otherwise read again for each relay.
    private static let systemTrustContext = Result {
        try NIOSSLContext(configuration: .makeClientConfiguration())
    }

    private var endingDescription: String { state.ending?.description ?? "the connection has ended" }
}
