import Synchronization

/// A queue an async reader waits on with a deadline: producers `push`, the reader `take`s the
/// oldest element, or the oldest one a predicate accepts (leaving the others queued, in order), and
/// gets `nil` on timeout or once the queue is finished and holds no match.
///
/// A wait costs a lock and a continuation, no timer of its own: the shared `DeadlineTicker` ends
/// overdue waits, so a wait ends at most one tick after its deadline. That keeps thousands of
/// connections waiting cheap, and the relay benchmark's sub-millisecond timings free of timers.
public final class WaitQueue<Element: Sendable>: Sendable {
    private struct State {
        /// Elements pushed; those before `head` are taken already.
        var buffer: [Element] = []
        var head = 0
        var finished = false
        /// The waiting reader, the elements it wants (any, without a predicate) and when its wait
        /// ends (in `DeadlineTicker.nanoseconds`). Fields of their own, not one optional struct:
        /// copying that costs a generic metadata lookup per message.
        var waiter: CheckedContinuation<Element?, Never>?
        var predicate: (@Sendable (Element) -> Bool)?
        var deadline: Int64 = .max

        /// The index of the oldest queued element `predicate` accepts (any, without one).
        func firstIndex(matching predicate: (@Sendable (Element) -> Bool)?) -> Int? {
            guard head < buffer.count else { return nil }
            guard let predicate else { return head }
            return buffer[head...].firstIndex(where: predicate)
        }

        /// Takes the element at `index`: the oldest by moving `head` (compacting now and then),
        /// another by removing it.
        mutating func take(at index: Int) -> Element {
            guard index == head else { return buffer.remove(at: index) }
            let element = buffer[head]
            head += 1
            if head > 1024 && head * 2 > buffer.count {
                buffer.removeFirst(head)
                head = 0
            }
            return element
        }
    }

    private let state = Mutex(State())
    /// The current wait's deadline, mirrored for the ticker (under `state`'s lock).
    private let deadline = WaitDeadline()

    /// An empty queue, its waits watched by `DeadlineTicker.shared`.
    public init() {
        deadline.onExpiry { [weak self] now in self?.expire(now: now) }
        DeadlineTicker.shared.watch(deadline)
    }

    deinit { deadline.markDone() }

    /// Queues `element`, or hands it straight to the waiting reader if it wants it.
    public func push(_ element: Element) {
        let waiter = state.withLock { state -> CheckedContinuation<Element?, Never>? in
            if state.waiter != nil, state.predicate?(element) ?? true {
                state.predicate = nil
                deadline.nanoseconds.store(.max, ordering: .relaxed)
                return state.waiter.take()
            }
            state.buffer.append(element)
            return nil
        }
        waiter?.resume(returning: element)
    }

    /// No more elements will come: a waiting reader with no match gets `nil`.
    public func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Element?, Never>? in
            state.finished = true
            state.predicate = nil
            deadline.markDone()
            return state.waiter.take()
        }
        waiter?.resume(returning: nil)
    }

    /// Whether `finish` has been called.
    public var isFinished: Bool { state.withLock { $0.finished } }

    /// The queued elements, oldest first, without taking them.
    public var pending: [Element] { state.withLock { Array($0.buffer[$0.head...]) } }

    /// Takes the oldest element `predicate` accepts (the oldest of all without one), waiting at most
    /// `timeout` for one to arrive. One reader at a time.
    public func take(
        timeout: Duration, where predicate: (@Sendable (Element) -> Bool)? = nil
    ) async -> Element? {
        await withCheckedContinuation { continuation in
            let immediate = state.withLock { state -> Element?? in
                if let index = state.firstIndex(matching: predicate) { return .some(state.take(at: index)) }
                if state.finished { return .some(nil) }
                precondition(state.waiter == nil, "WaitQueue supports one reader at a time")
                state.waiter = continuation
                state.predicate = predicate
                state.deadline = DeadlineTicker.nanoseconds(.now + timeout)
                deadline.nanoseconds.store(state.deadline, ordering: .relaxed)
                return .none
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }

    /// Waits (as the reader) until the queue is finished; whether it was within `timeout`.
    public func waitUntilFinished(timeout: Duration) async -> Bool {
        _ = await take(timeout: timeout) { _ in false }
        return isFinished
    }
}

extension WaitQueue {
    /// Ends the wait if its deadline is `now` (in `DeadlineTicker.nanoseconds`) or earlier.
    private func expire(now: Int64) {
        let waiter = state.withLock { state -> CheckedContinuation<Element?, Never>? in
            guard state.waiter != nil, state.deadline <= now else { return nil }
            state.predicate = nil
            deadline.nanoseconds.store(.max, ordering: .relaxed)
            return state.waiter.take()
        }
        waiter?.resume(returning: nil)
    }
}
