import NIOCore
import Synchronization

/// The bounded queue between a connection's reader and `RelayClient.receive`.
///
/// The reader `push`es each parsed message and is suspended while `capacity` messages, or
/// `byteCapacity` bytes of them, wait: it then stops pulling frames, NIO's async channel stops
/// reading the socket, and TCP tells the relay to wait. Nothing here grows past either bound (one
/// message larger than `byteCapacity` is let into an empty inbox, so that it can be received).
///
/// A `take` that must wait arms one NIO timer on `eventLoop` (a heap entry, no task or thread of its
/// own) and cancels it when a message arrives first; a take that finds a message queued arms none.
final class Inbox: Sendable {
    /// What a `take` got.
    enum Taken: Sendable {
        case response(RelayResponse)
        case timedOut
        /// The inbox is finished and empty: the connection has ended.
        case finished
        case cancelled
    }

    private struct Reader {
        var token: UInt64
        var continuation: CheckedContinuation<Taken, Never>
        var timer: Scheduled<Void>?
    }

    private struct State {
        /// Messages pushed with their sizes; those before `head` are taken already.
        var buffer: [(response: RelayResponse, size: Int)] = []
        var head = 0
        /// The sizes of the queued messages, summed.
        var bytes = 0
        var finished = false
        /// Waiting `take`s, oldest first (they only wait while the buffer is empty).
        var readers: [Reader] = []
        var nextToken: UInt64 = 0
        /// The suspended `push`, waiting for room.
        var writer: CheckedContinuation<Bool, Never>?
        /// The most messages, and the most bytes, ever queued at once.
        var highWater = 0
        var highWaterBytes = 0

        var count: Int { buffer.count - head }

        mutating func takeFirst() -> RelayResponse {
            let (response, size) = buffer[head]
            bytes -= size
            head += 1
            // Compact now and then: amortised O(1), and the array never holds more than twice what waits.
            if head >= 64 && head * 2 >= buffer.count {
                buffer.removeFirst(head)
                head = 0
            }
            return response
        }
    }

    /// The most messages queued at once.
    let capacity: Int
    /// The most bytes queued at once (as the relay sent them).
    let byteCapacity: Int
    private let eventLoop: any EventLoop
    private let state = Mutex(State())

    /// An empty inbox for at most `capacity` messages and `byteCapacity` bytes, whose waits are
    /// timed on `eventLoop`.
    init(capacity: Int, byteCapacity: Int, eventLoop: any EventLoop) {
        self.capacity = max(1, capacity)
        self.byteCapacity = max(1, byteCapacity)
        self.eventLoop = eventLoop
    }

    /// Messages queued now.
    var count: Int { state.withLock { $0.count } }

    /// The most messages that were ever queued at once (never more than `capacity`).
    var highWater: Int { state.withLock { $0.highWater } }

    /// The most bytes that were ever queued at once.
    var highWaterBytes: Int { state.withLock { $0.highWaterBytes } }

    /// Whether `finish` or `discard` was called.
    var isFinished: Bool { state.withLock { $0.finished } }

    /// Queues `response`, `size` bytes as the relay sent it (or hands it to a waiting `take`), first
    /// waiting while the inbox is full. One pusher at a time. Returns false, dropping `response`,
    /// once the inbox is finished.
    func push(_ response: RelayResponse, size: Int) async -> Bool {
        func hasRoom(_ state: State) -> Bool {
            state.count == 0 || (state.count < capacity && state.bytes + size <= byteCapacity)
        }
        while true {
            enum Step {
                case delivered(Reader)
                case queued
                case finished
                case full
            }
            let step = state.withLock { state -> Step in
                if state.finished { return .finished }
                if !state.readers.isEmpty { return .delivered(state.readers.removeFirst()) }
                guard hasRoom(state) else { return .full }
                state.buffer.append((response, size))
                state.bytes += size
                state.highWater = max(state.highWater, state.count)
                state.highWaterBytes = max(state.highWaterBytes, state.bytes)
                return .queued
            }
            switch step {
            case .delivered(let reader):
                reader.timer?.cancel()
                reader.continuation.resume(returning: .response(response))
                return true
            case .queued: return true
            case .finished: return false
            case .full:
                let room = await withCheckedContinuation { continuation in
                    let now = state.withLock { state -> Bool? in
                        if state.finished { return false }
                        if hasRoom(state) { return true }
                        precondition(state.writer == nil, "Inbox supports one pusher at a time")
                        state.writer = continuation
                        return nil
                    }
                    if let now { continuation.resume(returning: now) }
                }
                guard room else { return false }
            }
        }
    }

    /// The oldest message, waiting at most `timeout` for one; `.finished` once the inbox is finished
    /// and drained, `.cancelled` if the calling task is cancelled while it waits.
    func take(timeout: Duration) async -> Taken {
        let token = state.withLock { state -> UInt64 in
            state.nextToken += 1
            return state.nextToken
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                enum Step {
                    case now(Taken, CheckedContinuation<Bool, Never>?)
                    case wait
                }
                let step = state.withLock { state -> Step in
                    if state.count > 0 {
                        let response = state.takeFirst()
                        return .now(.response(response), state.writer.take())
                    }
                    if state.finished { return .now(.finished, nil) }
                    if Task.isCancelled { return .now(.cancelled, nil) }
                    let timer = eventLoop.scheduleTask(in: TimeAmount(timeout)) { [weak self] in
                        guard let self else { return }
                        self.end(token, with: .timedOut)
                    }
                    state.readers.append(Reader(token: token, continuation: continuation, timer: timer))
                    return .wait
                }
                if case .now(let taken, let writer) = step {
                    writer?.resume(returning: true)
                    continuation.resume(returning: taken)
                }
            }
        } onCancel: {
            end(token, with: .cancelled)
        }
    }

    /// No more messages will come: waiting `take`s get `.finished`, later ones drain what is queued
    /// first; a suspended `push` returns false.
    func finish() {
        let (readers, writer) = state.withLock { state -> ([Reader], CheckedContinuation<Bool, Never>?) in
            state.finished = true
            defer { state.readers = [] }
            return (state.readers, state.writer.take())
        }
        writer?.resume(returning: false)
        for reader in readers {
            reader.timer?.cancel()
            reader.continuation.resume(returning: .finished)
        }
    }

    /// `finish`, and drop what is queued: the client has closed the connection.
    func discard() {
        state.withLock { state in
            state.buffer = []
            state.head = 0
            state.bytes = 0
        }
        finish()
    }

    /// Ends the wait of `token`, if it still waits.
    private func end(_ token: UInt64, with taken: Taken) {
        let reader = state.withLock { state -> Reader? in
            guard let index = state.readers.firstIndex(where: { $0.token == token }) else { return nil }
            return state.readers.remove(at: index)
        }
        guard let reader else { return }
        reader.timer?.cancel()
        reader.continuation.resume(returning: taken)
    }
}
