import NIOCore

/// Holds back the relay's end of input (a TCP FIN: `ChannelEvent.inputClosed`) until the WebSocket
/// upgrade is done, so that what the relay sent before it is not lost.
///
/// NIO's HTTP response decoder passes on the bytes that follow the `101` answer (the relay's first
/// frames) only when it is removed *without* having seen end of input; a relay that answers the
/// upgrade, sends a NOTICE and a close frame and shuts its side at once (all in one TCP read) would
/// otherwise lose the NOTICE, and the async channel, added after the FIN went by, would never hear
/// that the input ended. Sitting in front of the HTTP handlers (behind TLS), the gate keeps the FIN
/// until the upgrade has run, then passes it on after the buffered frames, and leaves the pipeline.
final class UpgradeGate: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private var context: ChannelHandlerContext?
    private var heldInputClosed = false

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .inputClosed? = event as? ChannelEvent {
            heldInputClosed = true
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// The upgrade is done (called on the event loop from the upgrade's pipeline handler): the
    /// frames NIO buffered during it are passed on first, then a held end of input, then the gate
    /// goes.
    func open() {
        guard let context else { return }
        context.eventLoop.assumeIsolated().execute { [self] in
            if heldInputClosed { context.fireUserInboundEventTriggered(ChannelEvent.inputClosed) }
            context.pipeline.syncOperations.removeHandler(self, promise: nil)
        }
    }
}
