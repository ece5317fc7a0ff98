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
        relay.metrics.connectionsAccepted.increment()
        relay.metrics.openConnections.increment()
        defer { relay.metrics.openConnections.decrement() }
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
                    relay.metrics.received(.invalid)
                    sink.send(.notice("invalid: binary messages are not part of the Nostr protocol"))
                }
            }
            sink.close()
            try await group.waitForAll()
            // Only a reader that ended normally closes with 1000. One that failed (a text message
            // that is not UTF-8, a message too large) throws past this, and Hummingbird closes with
            // the code the failure carries (1007, 1009), after the writer sent what was queued.
            try await frames.close(.normalClosure, reason: nil)
        }
    }
}
