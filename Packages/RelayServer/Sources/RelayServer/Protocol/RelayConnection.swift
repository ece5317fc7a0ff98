import HummingbirdWebSocket
import NIOCore
import NostrCore

/// Runs one WebSocket connection: a reader handling messages in order and a writer draining the
/// bounded outgoing queue.
enum RelayConnection {
    static func run(
        relay: Relay, host: String, client: String, inbound: WebSocketInboundStream, frames: OutboundFrames
    ) async throws {
        let limits = relay.configuration.limits
        guard relay.connectionBuckets.take(client, now: relay.preciseNow) else {
            try await frames.write([
                ByteBuffer(bytes: RelayMessage.notice("rate-limited: too many new connections").encoded)
            ])
            try await frames.close(.policyViolation, reason: "rate-limited")
            return
        }
        let sink = ConnectionSink(
            id: relay.newConnectionID(), messageLimit: limits.outboundQueueMessages,
            byteLimit: limits.outboundQueueBytes
        ) {
            relay.metrics.slowConsumers.increment()
            frames.abort()
        }
        relay.metrics.connectionsTotal.increment()
        relay.metrics.connections.increment()
        defer { relay.metrics.connections.decrement() }
        let session = ConnectionSession(relay: relay, sink: sink, host: host, client: client)
        defer {
            session.finish()
            sink.close()
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            // However the reader ends (also by a reset connection's error), the writer must wake up
            // and finish, or the group would wait for it forever.
            defer { sink.close() }
            group.addTask {
                // A writer that fails (the socket is gone) must release a reader waiting for room.
                defer { sink.close() }
                while let batch = await sink.nextBatch() {
                    try await frames.write(batch)
                }
                // The reader finished (or the client fell too far behind and the socket is closing).
                try await frames.close(.normalClosure, reason: nil)
            }
            session.start()
            for try await message in inbound.messages(maxSize: limits.maxMessageBytes + 4096) {
                // Backpressure: the next message waits until the writer has taken what the last
                // one queued, so pipelined REQs cannot pile up results in memory.
                await sink.waitForRoom()
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
