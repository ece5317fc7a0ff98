import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// A WebSocket server on 127.0.0.1 whose every connection runs a script instead of a relay, for
/// remotes that misbehave on purpose: malformed frames, silence, a close in the middle.
public final class ScriptedRelay: Sendable {
    /// The port it listens on.
    public let port: Int
    private let server: Task<Void, any Error>

    /// `ws://127.0.0.1:<port>`.
    public var url: String { "ws://127.0.0.1:\(port)" }

    private init(port: Int, server: Task<Void, any Error>) {
        self.port = port
        self.server = server
    }

    /// Starts listening; `script` runs once per connection and the connection closes when it returns.
    public static func start(
        _ script: @escaping @Sendable (ScriptedConnection) async throws -> Void
    ) async throws -> ScriptedRelay {
        let ports = WaitQueue<Int>()
        let application = Application(
            router: Router(),
            server: .http1WebSocketUpgrade(configuration: .init(ws: .init(maxFrameSize: 1 << 22))) { _, _, _ in
                .upgrade([:]) { inbound, outbound, _ in
                    try await script(ScriptedConnection(inbound: inbound, outbound: outbound))
                }
            },
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in ports.push(channel.localAddress?.port ?? 0) }
        )
        let server = Task {
            defer { ports.finish() }
            try await application.runService(gracefulShutdownSignals: [])
        }
        guard let port = await ports.take(timeout: .seconds(10)) else {
            server.cancel()
            throw TestFailure("the scripted relay did not start listening within 10 s")
        }
        return ScriptedRelay(port: port, server: server)
    }

    /// Stops listening and drops every connection.
    public func stop() async {
        server.cancel()
        _ = await server.result
    }
}

/// One connection to a `ScriptedRelay`, as its script sees it.
public final class ScriptedConnection {
    private var messages: WebSocketInboundMessageStream.AsyncIterator
    private let outbound: WebSocketOutboundWriter

    init(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) {
        messages = inbound.messages(maxSize: 1 << 22).makeAsyncIterator()
        self.outbound = outbound
    }

    /// The client's next text message; nil once it closed.
    public func next() async throws -> String? {
        while let message = try await messages.next() {
            if case .text(let text) = message { return text }
        }
        return nil
    }

    /// Sends `text` as a text message.
    public func send(_ text: String) async throws {
        try await outbound.write(.text(text))
    }
}
