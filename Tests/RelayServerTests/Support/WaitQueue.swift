import Synchronization

/// A queue an async reader waits on with a deadline: producers `push`, the reader `take`s the first
/// element matching a predicate (leaving the others queued, in order) or gets `nil` on timeout or
/// when the queue was finished and holds no match.
final class WaitQueue<Element: Sendable>: Sendable {
    private struct Waiter {
        var id: UInt64
        var predicate: @Sendable (Element) -> Bool
        var continuation: CheckedContinuation<Element?, Never>
    }

    private struct State {
        var buffer: [Element] = []
        var finished = false
        var waiter: Waiter?
        var expired = Set<UInt64>()
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    init() {}

    /// Queues `element`, handing it straight to a waiting reader that wants it.
    func push(_ element: Element) {
        state.withLock { state in
            if let waiter = state.waiter, waiter.predicate(element) {
                state.waiter = nil
                waiter.continuation.resume(returning: element)
            } else {
                state.buffer.append(element)
            }
        }
    }

    /// No more elements will come: a waiting reader with no match gets `nil`.
    func finish() {
        state.withLock { state in
            state.finished = true
            if let waiter = state.waiter {
                state.waiter = nil
                waiter.continuation.resume(returning: nil)
            }
        }
    }

    var isFinished: Bool { state.withLock { $0.finished } }

    /// The queued elements, without taking them.
    var pending: [Element] { state.withLock { $0.buffer } }

    /// Takes the first element that matches, waiting at most `timeout` for one to arrive.
    func take(
        timeout: Duration, where predicate: @escaping @Sendable (Element) -> Bool = { _ in true }
    ) async -> Element? {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        let timer = Task {
            do { try await Task.sleep(for: timeout) } catch { return }
            self.expire(id)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            state.withLock { state in
                if let index = state.buffer.firstIndex(where: predicate) {
                    continuation.resume(returning: state.buffer.remove(at: index))
                } else if state.finished || state.expired.remove(id) != nil {
                    continuation.resume(returning: nil)
                } else {
                    precondition(state.waiter == nil, "WaitQueue supports one reader at a time")
                    state.waiter = Waiter(id: id, predicate: predicate, continuation: continuation)
                }
            }
        }
    }

    private func expire(_ id: UInt64) {
        state.withLock { state in
            if let waiter = state.waiter, waiter.id == id {
                state.waiter = nil
                waiter.continuation.resume(returning: nil)
            } else {
                state.expired.insert(id)
            }
        }
    }
}
