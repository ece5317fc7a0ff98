import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWSCompression
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOSSL
import PurplePagesTestSupport

/// What a `withWebSocketServer` script gets for one connection.
struct ServerConnection: Sendable {
    let inbound: WebSocketInboundStream
    let outbound: WebSocketOutboundWriter

    /// Sends `text` as one text frame.
    func send(_ text: String) async throws {
        try await outbound.write(.text(text))
    }

    /// Reads (answering pings) until the client closes: a relay that stays open and quiet.
    func stayOpen() async throws {
        for try await _ in inbound {}
    }

    /// Sends `text` as a message split into frames of the server's maximum frame size.
    func sendFragmented(_ text: String) async throws {
        try await outbound.writeTextMessage(text)
    }
}

/// How a test server behaves at the WebSocket level.
struct TestServerOptions: Sendable {
    /// The largest frame the server sends unsplit (`sendFragmented`) and accepts.
    var maxFrameSize = 1 << 22
    /// Whether the server accepts permessage-deflate.
    var compression = false
    /// TLS, for a `wss://` server.
    var tls: TLSConfiguration?
}

/// Cancelling the server (how tests stop it) makes Hummingbird log errors.
private let quietLogger: Logger = {
    var logger = Logger(label: "test-websocket-server")
    logger.logLevel = .critical
    return logger
}()

/// Runs `body` with the port of a WebSocket server on 127.0.0.1 whose every connection runs
/// `script` (the connection closes when it returns): the relay that misbehaves on purpose.
@discardableResult
func withWebSocketServer<T: Sendable>(
    _ options: TestServerOptions = .init(),
    script: @escaping @Sendable (ServerConnection) async throws -> Void,
    _ body: (Int) async throws -> T
) async throws -> T {
    let webSocket = WebSocketServerConfiguration(
        maxFrameSize: options.maxFrameSize,
        extensions: options.compression ? [.perMessageDeflate(maxDecompressedFrameSize: options.maxFrameSize)] : [])
    let upgrade = HTTPServerBuilder.http1WebSocketUpgrade(configuration: .init(ws: webSocket)) { _, _, _ in
        .upgrade([:]) { inbound, outbound, _ in
            try await script(ServerConnection(inbound: inbound, outbound: outbound))
        }
    }
    let upgradeServer = try options.tls.map { try .tls(upgrade, tlsConfiguration: $0) } ?? upgrade
    return try await withLoopbackServer(named: "the test WebSocket server", body: body) { onServerRunning in
        Application(
            router: Router(), server: upgradeServer, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: onServerRunning, logger: quietLogger)
    }
}

/// Runs `body` with the port of the application `make` builds (listening on 127.0.0.1, port 0,
/// calling the `onServerRunning` it is given), and stops the server when `body` returns or throws.
func withLoopbackServer<T: Sendable, A: ApplicationProtocol>(
    named name: String, body: (Int) async throws -> T,
    _ make: (_ onServerRunning: @escaping @Sendable (any Channel) async -> Void) throws -> A
) async throws -> T {
    let ports = WaitQueue<Int>()
    let application = try make { channel in ports.push(channel.localAddress?.port ?? 0) }
    let server = Task {
        defer { ports.finish() }
        try await application.runService(gracefulShutdownSignals: [])
    }
    guard let port = await ports.take(timeout: .seconds(10)) else {
        server.cancel()
        throw TestFailure("\(name) did not start listening within 10 s")
    }
    let result: Result<T, any Error>
    do {
        result = .success(try await body(port))
    } catch {
        result = .failure(error)
    }
    server.cancel()
    _ = await server.result
    return try result.get()
}
