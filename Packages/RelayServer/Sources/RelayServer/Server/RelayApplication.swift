import HTTPTypes
import Hummingbird
import HummingbirdWSCompression
import HummingbirdWebSocket
import LMDBStore
import Logging
import NIOCore
import NIOWebSocket
import NostrCore

/// Builds the relay's Hummingbird application: `GET /` answers NIP-11 (with
/// `Accept: application/nostr+json`) or a small HTML page, and WebSocket upgrades on any path speak
/// the Nostr protocol.
public enum RelayApplication {
    /// The application for `relay`, listening on the configured host and port (`port` overrides).
    /// `onServerRunning` receives the bound port (useful with port 0).
    public static func make(
        relay: Relay, port: Int? = nil, onServerRunning: (@Sendable (Int) async -> Void)? = nil
    ) -> some ApplicationProtocol {
        let configuration = relay.configuration
        let router = Router()
        let information = RelayInformation.document(configuration)
        let page = RelayInformation.page(configuration)
        router.add(middleware: CORSHeaders())
        router.get("/") { request, _ -> Response in
            if request.headers[.accept]?.contains("application/nostr+json") == true {
                return Response(
                    status: .ok, headers: [.contentType: "application/nostr+json"],
                    body: .init(byteBuffer: ByteBuffer(bytes: information)))
            }
            return Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: page)))
        }
        router.get("/metrics") { _, _ -> Response in
            let body = relay.metrics.render(
                liveSubscriptions: relay.subscriptions.count, queuedEvents: relay.store.queuedEvents)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        // Frames may exceed max_message_bytes a little so oversized messages get a NOTICE, not a
        // dropped connection; far larger ones close it (1009).
        let frameLimit = configuration.limits.maxMessageBytes + 4096
        let webSocket = WebSocketServerConfiguration(
            maxFrameSize: frameLimit,
            extensions: [.perMessageDeflate(maxDecompressedFrameSize: frameLimit)],
            autoPing: .enabled(timePeriod: .seconds(30)))
        return Application(
            router: router,
            server: .http1WebSocketUpgrade(configuration: .init(ws: webSocket)) { request, channel, _ in
                let host = request.authority ?? "localhost"
                let client = relay.clientAddress.resolve(
                    peer: channel.remoteAddress?.ipAddress ?? "unknown",
                    forwardedFor: request.headerFields[forwardedFor])
                return .upgrade([:]) { inbound, outbound, _ in
                    try await RelayConnection.run(
                        relay: relay, host: host, client: client, inbound: inbound, outbound: outbound)
                }
            },
            configuration: .init(
                address: .hostname(configuration.server.host, port: port ?? configuration.server.port)),
            onServerRunning: { channel in await onServerRunning?(channel.localAddress?.port ?? 0) },
            logger: relay.logger
        )
    }
}

private let forwardedFor = HTTPField.Name("X-Forwarded-For")!

/// Adds NIP-11's CORS headers to every HTTP answer.
struct CORSHeaders<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = "*"
        response.headers[.accessControlAllowHeaders] = "*"
        response.headers[.accessControlAllowMethods] = "GET, OPTIONS"
        return response
    }
}

/// Runs one WebSocket connection: a reader handling messages in order and a writer draining the
/// bounded outgoing queue.
enum RelayConnection {
    /// Outgoing messages a connection may have queued before it counts as too slow.
    static let outboundQueueLimit = 20_000

    static func run(
        relay: Relay, host: String, client: String, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter
    ) async throws {
        guard relay.connectionBuckets.take(client, now: relay.preciseNow) else {
            try await outbound.write(.text(RelayMessage.notice("rate-limited: too many new connections").jsonString))
            try await outbound.close(.policyViolation, reason: "rate-limited")
            return
        }
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream(
            bufferingPolicy: .bufferingOldest(outboundQueueLimit))
        let sink = ConnectionSink(id: relay.newConnectionID(), continuation: continuation)
        relay.metrics.connectionsTotal.increment()
        relay.metrics.connections.increment()
        defer { relay.metrics.connections.decrement() }
        let session = ConnectionSession(relay: relay, sink: sink, host: host, client: client)
        defer {
            session.finish()
            sink.close()
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                let frameLimit = relay.configuration.limits.maxMessageBytes + 4096
                for await bytes in stream {
                    if bytes.count <= frameLimit {
                        // Our messages are valid UTF-8 JSON already: send the bytes as a text frame
                        // without a round trip through String.
                        let frame = WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(bytes: bytes))
                        try await outbound.write(.custom(frame))
                    } else {
                        try await outbound.writeTextMessage(String(decoding: bytes, as: UTF8.self))
                    }
                }
                // The queue ended: the client was too slow, or the reader finished.
                try await outbound.close(.normalClosure, reason: nil)
            }
            session.start()
            let limit = relay.configuration.limits.maxMessageBytes + 4096
            for try await message in inbound.messages(maxSize: limit) {
                switch message {
                case .text(let text):
                    await session.handle(Array(text.utf8))
                case .binary:
                    sink.send(.notice("invalid: binary messages are not part of the Nostr protocol"))
                }
            }
            sink.close()
            try await group.waitForAll()
        }
    }
}
