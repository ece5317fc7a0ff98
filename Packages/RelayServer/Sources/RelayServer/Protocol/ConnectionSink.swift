import NIOCore
import NostrCore
import Synchronization

/// Where a connection's outgoing messages go: a bounded queue drained by the connection's writer.
///
/// The writer takes everything queued at once and sends it with a single flush (one `write`
/// system call for many small `OK`s or a whole REQ result instead of one each). A client that
/// reads too slowly fills its queue; past `messageLimit` messages or `byteLimit` bytes the
/// connection is dropped (`onOverflow`, which closes the socket under a writer that may be stuck
/// on it) instead of letting memory grow. The reader waits for `waitForRoom()` before each message, so a client
/// pipelining REQs cannot queue more than one result ahead of its socket.
final class ConnectionSink: Sendable {
    /// The connection's number, unique in this process.
    let id: UInt64
    private let messageLimit: Int
    private let byteLimit: Int
    private let onOverflow: @Sendable () -> Void
    private let state = Mutex(State())

    private struct State {
        var queued: [ByteBuffer] = []
        var queuedBytes = 0
        var finished = false
        var overflowed = false
        /// The writer, waiting for messages.
        var writer: CheckedContinuation<Void, Never>?
        /// Readers waiting until the writer has taken what was queued.
        var roomWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// A sink that closes the connection past `messageLimit` queued messages or `byteLimit` bytes.
    /// `onOverflow` runs once, when the first message does not fit.
    init(
        id: UInt64, messageLimit: Int = 20_000, byteLimit: Int = 64 << 20,
        onOverflow: @escaping @Sendable () -> Void = {}
    ) {
        self.id = id
        self.messageLimit = messageLimit
        self.byteLimit = byteLimit
        self.onOverflow = onOverflow
    }

    /// Queues a message; returns false (and ends the connection) when the client is too slow.
    @discardableResult
    func send(_ message: RelayMessage) -> Bool {
        send(bytes: message.encoded)
    }

    /// Queues encoded bytes; returns false (and ends the connection) when the client is too slow.
    @discardableResult
    func send(bytes: [UInt8]) -> Bool {
        send(buffer: ByteBuffer(bytes: bytes))
    }

    /// Queues a message already in a buffer (sent without another copy).
    @discardableResult
    func send(buffer bytes: ByteBuffer) -> Bool {
        let (accepted, writer, overflowed) = state.withLock {
            state -> (Bool, CheckedContinuation<Void, Never>?, Bool) in
            guard !state.finished else { return (false, nil, false) }
            guard state.queued.count < messageLimit, state.queuedBytes + bytes.readableBytes <= byteLimit else {
                state.overflowed = true
                state.queued = []
                return (false, Self.finish(&state), true)
            }
            state.queued.append(bytes)
            state.queuedBytes += bytes.readableBytes
            defer { state.writer = nil }
            return (true, state.writer, false)
        }
        writer?.resume()
        if overflowed { onOverflow() }
        return accepted
    }

    /// Everything queued so far, oldest first, waiting while the queue is empty; nil once the
    /// sink is closed and drained (or overflowed: what is left then is dropped).
    func nextBatch() async -> [ByteBuffer]? {
        while true {
            let taken = state.withLock {
                state -> (batch: [ByteBuffer]?, done: Bool, waiters: [CheckedContinuation<Void, Never>]) in
                if state.overflowed { return (nil, true, []) }
                if !state.queued.isEmpty {
                    var batch: [ByteBuffer] = []
                    swap(&batch, &state.queued)
                    state.queuedBytes = 0
                    defer { state.roomWaiters = [] }
                    return (batch, false, state.roomWaiters)
                }
                return (nil, state.finished, [])
            }
            for waiter in taken.waiters { waiter.resume() }
            if let batch = taken.batch { return batch }
            if taken.done { return nil }
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    guard state.queued.isEmpty && !state.finished else { return true }
                    state.writer = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// Returns once the writer has taken everything queued before (or the sink is closed).
    func waitForRoom() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                guard !state.queued.isEmpty && !state.finished else { return true }
                state.roomWaiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// True once the client fell too far behind.
    var overflowed: Bool { state.withLock { $0.overflowed } }

    /// Ends the connection's outgoing stream: the writer sends what is queued, then closes.
    func close() {
        let writer = state.withLock { Self.finish(&$0) }
        writer?.resume()
    }

    /// Marks `state` finished, wakes every waiting reader and returns the waiting writer.
    private static func finish(_ state: inout State) -> CheckedContinuation<Void, Never>? {
        state.finished = true
        for waiter in state.roomWaiters { waiter.resume() }
        state.roomWaiters = []
        defer { state.writer = nil }
        return state.writer
    }
}
