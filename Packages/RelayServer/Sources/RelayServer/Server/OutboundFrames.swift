import HummingbirdWebSocket
import NIOCore
import NIOWebSocket

/// Writes a connection's outgoing messages as WebSocket text frames, a whole batch per flush.
///
/// Hummingbird's outbound writer flushes every frame (one `write` system call each, the largest
/// kernel cost of a busy relay); writing to the channel on its event loop and flushing once
/// sends a batch of `OK`s or a REQ result in as few system calls as the socket allows. The
/// promise of the batch's last frame completes once the socket took it, which is the writer's
/// backpressure. With permessage-deflate the frames go through Hummingbird's writer instead,
/// which compresses them.
struct OutboundFrames: Sendable {
    let outbound: WebSocketOutboundWriter
    /// The connection's channel.
    let channel: any Channel
    /// Whether frames go to `channel` directly (false: through `outbound`).
    let direct: Bool

    /// Sends each message as one text frame (our messages are valid UTF-8 JSON already).
    func write(_ messages: [ByteBuffer]) async throws {
        guard direct else {
            for message in messages {
                try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: message)))
            }
            return
        }
        guard !messages.isEmpty else { return }
        try await channel.eventLoop.flatSubmit { () -> EventLoopFuture<Void> in
            let written = channel.eventLoop.makePromise(of: Void.self)
            for (index, message) in messages.enumerated() {
                let frame = WebSocketFrame(fin: true, opcode: .text, data: message)
                channel.write(frame, promise: index == messages.count - 1 ? written : nil)
            }
            channel.flush()
            return written.futureResult
        }.get()
    }

    /// Closes the socket at once, failing writes that wait for it (a client too slow to read).
    func abort() { channel.close(mode: .all, promise: nil) }

    /// Sends a close frame (through Hummingbird, which then ends the connection).
    func close(_ code: WebSocketErrorCode, reason: String?) async throws {
        try await outbound.close(code, reason: reason)
    }
}
