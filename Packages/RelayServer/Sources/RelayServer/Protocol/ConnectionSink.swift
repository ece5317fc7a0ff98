import NostrCore

/// Where a connection's outgoing messages go: a bounded queue drained by the connection's writer.
///
/// A client that reads too slowly fills its queue; then the connection is closed instead of
/// letting memory grow (the writer sees the queue finish and closes the socket).
final class ConnectionSink: Sendable {
    /// The connection's number, unique in this process.
    let id: UInt64
    private let continuation: AsyncStream<[UInt8]>.Continuation

    init(id: UInt64, continuation: AsyncStream<[UInt8]>.Continuation) {
        self.id = id
        self.continuation = continuation
    }

    /// Queues a message; returns false (and ends the connection) when the client is too slow.
    @discardableResult
    func send(_ message: RelayMessage) -> Bool {
        send(bytes: message.encoded)
    }

    /// Queues encoded bytes.
    @discardableResult
    func send(bytes: [UInt8]) -> Bool {
        switch continuation.yield(bytes) {
        case .enqueued: return true
        case .dropped, .terminated:
            continuation.finish()
            return false
        @unknown default:
            return false
        }
    }

    /// Ends the connection's outgoing stream (the writer closes the socket).
    func close() { continuation.finish() }
}
