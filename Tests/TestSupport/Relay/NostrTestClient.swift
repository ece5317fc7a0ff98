import HummingbirdWSClient
import HummingbirdWSCompression
import NIOCore
import NostrCore
import RelayClientCore
import Synchronization
import Testing

/// A Nostr client over a real WebSocket, for driving a relay from tests.
///
/// Messages the relay sends are queued; `next` takes the oldest, and the helpers (`publish`,
/// `request`, `count`, `authenticate`) take only the replies that belong to them, leaving anything
/// else (live events of other subscriptions, NOTICEs, AUTH challenges) queued for `next`. The
/// `["AUTH", challenge]` greeting is consumed by `connect` and kept in `challenge`. Every wait is
/// bounded and throws `TestFailure` on timeout. The connection itself is a `RelayWebSocket`, as the
/// relay benchmark's are.
public final class NostrTestClient: Sendable {
    /// How long a wait lasts unless told otherwise.
    public static let defaultTimeout: Duration = .seconds(5)

    /// The relay's port on 127.0.0.1.
    public let port: Int
    private let socket: RelayWebSocket
    private let counter = Atomic<Int>(0)

    private init(port: Int, socket: RelayWebSocket) {
        self.port = port
        self.socket = socket
    }

    /// The NIP-42 challenge the relay greeted this connection with.
    public var challenge: String { socket.challenge }

    /// The relay URL a client would put in a NIP-42 `relay` tag.
    public var relayURL: String { "ws://127.0.0.1:\(port)" }

    /// Connects to `ws://127.0.0.1:port/` (offering permessage-deflate when `deflate`) and waits for
    /// the relay's AUTH greeting. A message that is not JSON, or binary, is recorded as an issue of
    /// the running test when it arrives.
    public static func connect(
        port: Int, deflate: Bool = false, timeout: Duration = defaultTimeout
    ) async throws -> NostrTestClient {
        let socket = try await RelayWebSocket.connect(
            url: "ws://127.0.0.1:\(port)/", timeout: timeout, maxMessageSize: 16 << 20,
            extensions: deflate ? [.perMessageDeflate(maxDecompressedFrameSize: 16 << 20)] : [],
            logLabel: "test-client", inspect: recordMalformed)
        return NostrTestClient(port: port, socket: socket)
    }

    /// Records a message from the relay that is not a JSON text as an issue.
    @Sendable private static func recordMalformed(_ message: WebSocketMessage) {
        switch message {
        case .text(let text):
            do {
                _ = try JSONValue.parse(text)
            } catch {
                Issue.record("the relay sent a message that is not JSON (\(error)): \(text)")
            }
        case .binary(let buffer):
            Issue.record("the relay sent a binary message of \(buffer.readableBytes) bytes")
        }
    }

    /// Closes the connection (close handshake) and waits for it to end.
    public func close() async {
        await socket.close()
    }

    /// Waits until the relay has closed the connection; returns false on timeout.
    public func waitUntilClosed(timeout: Duration) async -> Bool {
        await socket.waitUntilClosed(timeout: timeout)
    }

    /// Whether the connection has ended.
    public var isClosed: Bool { socket.isClosed }

    /// A fresh subscription id.
    public func makeSubscriptionID(_ prefix: String = "sub") -> String {
        "\(prefix)-\(counter.add(1, ordering: .relaxed).newValue)"
    }

    // MARK: Sending

    /// Sends `json` as one text frame.
    public func send(_ json: String) async throws {
        try await socket.send(json)
    }

    /// Sends bytes as one binary frame.
    public func sendBinary(_ bytes: [UInt8]) async throws {
        try await socket.send(binary: bytes)
    }

    /// Sends `["EVENT", event]` with the event's raw JSON.
    public func send(event: Event) async throws {
        try await send(#"["EVENT","# + event.jsonString + "]")
    }

    /// Sends `["REQ", id, filters...]`.
    public func send(request id: String, _ filters: [Filter]) async throws {
        try await send(Self.message("REQ", id, filters.map(\.jsonString)))
    }

    /// Sends `["CLOSE", id]`.
    public func send(close id: String) async throws {
        try await send(#"["CLOSE","# + Self.quoted(id) + "]")
    }

    /// `text` as a JSON string literal.
    public static func quoted(_ text: String) -> String {
        var output: [UInt8] = []
        JSONWriter.appendString(text, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// The message `[type, id, filters...]`, the filters given as JSON text.
    public static func message(_ type: String, _ id: String, _ filters: [String]) -> String {
        "[" + ([quoted(type), quoted(id)] + filters).joined(separator: ",") + "]"
    }

    // MARK: Receiving

    /// The next message from the relay, parsed.
    public func next(timeout: Duration = defaultTimeout) async throws -> JSONValue {
        try await nextReply(timeout: timeout).json
    }

    /// The next message from the relay.
    public func nextReply(timeout: Duration = defaultTimeout) async throws -> RelayFrame {
        try await take("any message", timeout: timeout) { _ in true }
    }

    /// The first message (queued or to come) that `predicate` accepts; others stay queued.
    public func take(
        _ what: String, timeout: Duration = defaultTimeout, where predicate: @escaping @Sendable (RelayFrame) -> Bool
    ) async throws -> RelayFrame {
        guard let reply = await socket.take(timeout: timeout, where: predicate) else {
            let state = socket.isClosed ? "the connection closed" : "timed out after \(timeout)"
            throw TestFailure("waiting for \(what): \(state); queued: \(socket.pending.map(\.text))")
        }
        return reply
    }

    /// Messages received and not yet taken.
    public var pending: [RelayFrame] { socket.pending }

    /// Checks that nothing arrives for `duration`.
    public func expectNoMessage(for duration: Duration, sourceLocation: SourceLocation = #_sourceLocation) async {
        if let reply = await socket.next(timeout: duration) {
            Issue.record("unexpected message from the relay: \(reply)", sourceLocation: sourceLocation)
        }
    }
}

/// Runs `body` with `count` connected clients, closing them afterwards.
public func withClients<T: Sendable>(
    port: Int, count: Int = 1, _ body: ([NostrTestClient]) async throws -> T
) async throws -> T {
    var clients: [NostrTestClient] = []
    let result: Result<T, any Error>
    do {
        for _ in 0..<count { clients.append(try await NostrTestClient.connect(port: port)) }
        result = .success(try await body(clients))
    } catch {
        result = .failure(error)
    }
    for client in clients { await client.close() }
    return try result.get()
}

/// Runs `body` with one connected client, closing it afterwards.
public func withClient<T: Sendable>(port: Int, _ body: (NostrTestClient) async throws -> T) async throws -> T {
    try await withClients(port: port, count: 1) { try await body($0[0]) }
}
