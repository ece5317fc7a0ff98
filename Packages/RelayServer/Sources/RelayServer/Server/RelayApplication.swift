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
            let body = relay.metrics.render(liveSubscriptions: relay.subscriptions.count, store: relay.store)
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
            autoPing: .enabled(timePeriod: .seconds(30)),
            // A client that never answers our close frame holds up shutdown for at most this long.
            closeTimeout: .seconds(3),
            // A text message that is not UTF-8 fails the connection with 1007 (RFC 6455 8.1), checked
            // on the whole message, so a character split between fragments is fine.
            validateUTF8: true)
        return Application(
            router: router,
            server: .http1WebSocketUpgrade(configuration: .init(ws: webSocket)) { request, channel, _ in
                let host = request.authority ?? "localhost"
                let client = relay.clientAddress.resolve(
                    peer: channel.remoteAddress?.ipAddress ?? "unknown",
                    forwardedFor: request.headerFields[forwardedFor], realIP: request.headerFields[realIP])
                // permessage-deflate compresses in the WebSocket handler, so compressed connections
                // write through it; the others write frames to the channel directly, many per flush.
                let deflate = request.headerFields[.secWebSocketExtensions]?.contains("permessage-deflate") == true
                return .upgrade([:]) { inbound, outbound, _ in
                    let frames = OutboundFrames(outbound: outbound, channel: channel, direct: !deflate)
                    try await RelayConnection.run(
                        relay: relay, host: host, client: client, inbound: inbound, frames: frames)
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
private let realIP = HTTPField.Name("X-Real-IP")!
