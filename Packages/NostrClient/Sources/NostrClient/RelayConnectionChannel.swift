import HTTPTypes
import HummingbirdWSClient
import HummingbirdWSCompression
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import NIOWebSocket
@_spi(WSInternal) import WSCore

/// The logger the WebSocket frame loop is given.
struct RelayConnectionContext: WebSocketContext {
    let logger: Logger
}

/// How one relay connection's channel is set up and run: TLS, the `UpgradeGate`, the HTTP upgrade,
/// the `ConnectionWatchdog`, then WSCore's WebSocket frame loop around the reader.
///
/// It replaces WSClient's `WebSocketClient` (whose channel setup it follows) because that one never
/// lets go of its channel: a connect timeout could only abandon a socket whose relay accepted TCP and
/// then said nothing, a watchdog could not sit in the pipeline, and the idle timeout could not tell
/// the relay's silence from our own backpressure. Here `ConnectionState` receives the channel before
/// the TCP connect starts, so whoever gives up on the connection closes it. The frame loop itself
/// (close handshake, pings, permessage-deflate, fragmentation) stays WSCore's, reached through its
/// `WSInternal` SPI, the door WSClient uses too.
struct RelayConnectionChannel: ClientConnectionChannel {
    /// What the upgrade ends in.
    enum Upgrade: Sendable {
        case websocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, [any WebSocketExtension])
        case notUpgraded
    }

    /// The relay answered the upgrade request without switching to WebSocket.
    struct UpgradeRefused: Error, CustomStringConvertible {
        var description: String { "the server did not accept the WebSocket upgrade" }
    }

    typealias Value = EventLoopFuture<Upgrade>
    typealias Result = Void

    let url: RelayURL
    let configuration: RelayClientConfiguration
    let state: ConnectionState
    let sslContext: NIOSSLContext?
    let extensions: [any WebSocketExtensionBuilder]
    let handler: WebSocketDataHandler<RelayConnectionContext>

    init(
        url: RelayURL, configuration: RelayClientConfiguration, state: ConnectionState, sslContext: NIOSSLContext?,
        handler: @escaping WebSocketDataHandler<RelayConnectionContext>
    ) {
        self.url = url
        self.configuration = configuration
        self.state = state
        self.sslContext = sslContext
        self.handler = handler
        let maxBytes = configuration.maxMessageBytes
        self.extensions =
            configuration.compression
            ? [WebSocketExtensionFactory.perMessageDeflate(maxDecompressedFrameSize: maxBytes).build()] : []
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard state.adopt(channel) else { return channel.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel) }
        return channel.eventLoop.makeCompletedFuture { try configureUpgrade(channel: channel, logger: logger) }
    }

    private func configureUpgrade(channel: any Channel, logger: Logger) throws -> Value {
        let state = state
        let configuration = configuration
        let extensions = extensions
        let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(
            maxFrameSize: configuration.maxMessageBytes,
            upgradePipelineHandler: { channel, head in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.handler(type: UpgradeGate.self).open()
                    let watchdog = ConnectionWatchdog(
                        state: state, idleTimeout: configuration.idleTimeout, pingInterval: configuration.pingInterval,
                        maxMessageBytes: configuration.maxMessageBytes, closeTimeout: configuration.closeTimeout)
                    try channel.pipeline.syncOperations.addHandler(watchdog)
                    // The frame loop pulls from here; a small buffer, so a reader that waits for room in
                    // the inbox soon stops the socket being read.
                    let asyncChannel = try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(
                        wrappingChannelSynchronously: channel,
                        configuration: .init(backPressureStrategy: .init(lowWatermark: 2, highWatermark: 16)))
                    let accepted = try extensions.buildClientExtensions(from: HTTPFields(head.headers))
                    state.compressed.store(!accepted.isEmpty, ordering: .relaxed)
                    return Upgrade.websocket(asyncChannel, accepted)
                }
            }
        )
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: url.hostHeader)
        for builder in extensions {
            let offer = builder.clientRequestHeader()
            if !offer.isEmpty { headers.add(name: "Sec-WebSocket-Extensions", value: offer) }
        }
        let upgradeConfiguration = NIOTypedHTTPClientUpgradeConfiguration<Upgrade>(
            upgradeRequestHead: HTTPRequestHead(version: .http1_1, method: .GET, uri: url.target, headers: headers),
            upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in channel.eventLoop.makeCompletedFuture { .notUpgraded } }
        )
        var pipelineConfiguration = NIOUpgradableHTTPClientPipelineConfiguration(
            upgradeConfiguration: upgradeConfiguration)
        pipelineConfiguration.leftOverBytesStrategy = .forwardBytes
        try channel.pipeline.syncOperations.addHandler(UpgradeGate(), position: .first)
        if let sslContext {
            // No server name for an IP address: SNI carries host names only (RFC 6066).
            let handler = try NIOSSLClientHandler(
                context: sslContext, serverHostname: url.hostIsIPAddress ? nil : url.host)
            try channel.pipeline.syncOperations.addHandler(handler, position: .first)
        }
        return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
            configuration: pipelineConfiguration)
    }

    func handle(value: Value, logger: Logger) async throws {
        switch try await value.get() {
        case .websocket(let asyncChannel, let extensions):
            _ = try await WebSocketHandler.handle(
                type: .client,
                configuration: .init(
                    extensions: extensions, autoPing: .disabled, closeTimeout: configuration.closeTimeout,
                    validateUTF8: false, maxFrameSize: configuration.maxMessageBytes),
                asyncChannel: asyncChannel, context: RelayConnectionContext(logger: logger), handler: handler)
        case .notUpgraded:
            throw UpgradeRefused()
        }
    }
}

extension HTTPFields {
    /// The HTTP/1 headers as `HTTPFields` (what WSCore's extension negotiation reads).
    init(_ headers: HTTPHeaders) {
        self.init()
        for header in headers {
            if let name = HTTPField.Name(header.name) { append(HTTPField(name: name, value: header.value)) }
        }
    }
}
