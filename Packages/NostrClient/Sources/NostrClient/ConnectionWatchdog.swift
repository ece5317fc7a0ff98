import NIOCore
import NIOWebSocket

/// A channel handler between the WebSocket frame codec and the async channel the frame loop reads:
/// it sees every frame in both directions, and every read the frame loop asks for.
///
/// - Counts the payload bytes of data frames as they travel (compressed, when deflate is on).
/// - Closes the connection when the relay has been silent for `idleTimeout` *while we asked to
///   read*: a read passes through here only when the async channel wants data, so time the client
///   spends not reading (its inbox full) never counts as the relay's silence.
/// - Sends a ping every `pingInterval` while reading, so that a live relay answers with a pong.
///   WSCore's own auto-ping is not used: it closes the connection when a pong is not processed in
///   time, and pongs are not processed while the client, rightly, stops reading.
/// - Drops the socket `closeTimeout` after we sent a close frame, if the relay has not closed it.
/// - Notes the first sign of why the connection ends: a close frame from the relay, a close frame we
///   send with an error code, a frame over the size limit.
///
/// Both timers re-arm themselves on the event loop: no task, no timer per message.
final class ConnectionWatchdog: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let state: ConnectionState
    private let idleTimeout: TimeAmount
    private let pingInterval: TimeAmount
    private let maxMessageBytes: Int
    private let closeTimeout: TimeAmount
    /// Whether the frame loop has asked for data that has not arrived yet.
    private var readOutstanding = true
    /// Since when the relay has been silent while we were reading.
    private var silentSince = NIODeadline.now()
    /// A close frame has been sent or received: no more pings.
    private var closing = false
    private var idleTimer: Scheduled<Void>?
    private var pingTimer: Scheduled<Void>?
    private var closeHandshakeTimer: Scheduled<Void>?

    init(
        state: ConnectionState, idleTimeout: Duration, pingInterval: Duration, maxMessageBytes: Int,
        closeTimeout: Duration
    ) {
        self.state = state
        self.closeTimeout = TimeAmount(closeTimeout)
        self.idleTimeout = TimeAmount(idleTimeout)
        self.pingInterval = TimeAmount(pingInterval)
        self.maxMessageBytes = maxMessageBytes
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // Added right after the upgrade, when the new async channel is empty and reading.
        silentSince = .now()
        scheduleIdleCheck(context: context, in: idleTimeout)
        schedulePing(context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimers()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimers()
        context.fireChannelInactive()
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        silentSince = .now()
        switch frame.opcode {
        case .text, .binary, .continuation:
            state.statistics.bytesReceived.add(frame.length)
        case .connectionClose:
            closing = true
            var payload = frame.unmaskedData
            let code = payload.readInteger(as: UInt16.self)
            let reason = payload.readString(length: payload.readableBytes) ?? ""
            state.record(.closedByRelay(code: code, reason: reason))
        default:
            break
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        readOutstanding = false
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // The frame decoder refuses a frame over maxFrameSize (= maxMessageBytes); NIO then sends 1009.
        if case NIOWebSocketError.invalidFrameLength = error {
            state.record(.messageTooLarge(limit: maxMessageBytes))
        }
        context.fireErrorCaught(error)
    }

    // MARK: Outbound

    func read(context: ChannelHandlerContext) {
        if !readOutstanding {
            readOutstanding = true
            silentSince = .now()
        }
        context.read()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let frame = unwrapOutboundIn(data)
        switch frame.opcode {
        case .text, .binary, .continuation:
            state.statistics.bytesSent.add(frame.length)
        case .connectionClose:
            closing = true
            // Outbound frames carry their mask key but are masked by the encoder, after us.
            var payload = frame.data
            switch payload.readInteger(as: UInt16.self) {
            case 1000?, nil: break
            case 1009?: state.record(.messageTooLarge(limit: maxMessageBytes))
            case 1011?: state.record(.unprocessableFrame(limit: maxMessageBytes))
            case let code?: state.record(.closedByUs(code: code))
            }
            // RFC 6455 7.1.1: after our close frame the relay should answer and close; one that
            // does not (or cannot, not reading) loses the socket after closeTimeout.
            closeHandshakeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: closeTimeout) {
                context.close(promise: nil)
            }
        default:
            break
        }
        context.write(data, promise: promise)
    }

    // MARK: Timers

    private func scheduleIdleCheck(context: ChannelHandlerContext, in delay: TimeAmount) {
        idleTimer = context.eventLoop.assumeIsolated().scheduleTask(in: delay) { [self] in
            checkIdle(context: context)
        }
    }

    private func checkIdle(context: ChannelHandlerContext) {
        guard readOutstanding else {
            // We are not reading: the silence is ours. Look again a full timeout after reads resume.
            scheduleIdleCheck(context: context, in: idleTimeout)
            return
        }
        let silent = NIODeadline.now() - silentSince
        guard silent >= idleTimeout else {
            scheduleIdleCheck(context: context, in: idleTimeout - silent)
            return
        }
        state.record(.idle(.nanoseconds(idleTimeout.nanoseconds)))
        context.close(promise: nil)
    }

    private func schedulePing(context: ChannelHandlerContext) {
        pingTimer = context.eventLoop.assumeIsolated().scheduleTask(in: pingInterval) { [self] in
            guard !closing else { return }
            if readOutstanding {
                var data = context.channel.allocator.buffer(capacity: 8)
                data.writeInteger(UInt64.random(in: .min ... .max))
                let maskKey = WebSocketMaskingKey((0..<4).map { _ in UInt8.random(in: .min ... .max) })
                let ping = WebSocketFrame(fin: true, opcode: .ping, maskKey: maskKey, data: data)
                context.writeAndFlush(wrapOutboundOut(ping), promise: nil)
            }
            schedulePing(context: context)
        }
    }

    private func cancelTimers() {
        idleTimer?.cancel()
        pingTimer?.cancel()
        closeHandshakeTimer?.cancel()
        idleTimer = nil
        pingTimer = nil
        closeHandshakeTimer = nil
    }
}
