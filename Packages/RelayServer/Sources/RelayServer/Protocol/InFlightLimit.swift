import Synchronization

/// Bounds how many of a connection's EVENTs wait for the store at once. Past the bound the
/// connection's reader suspends, so the socket stops being read: backpressure instead of memory.
final class InFlightLimit: Sendable {
    private struct State {
        var count = 0
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let limit: Int
    private let state = Mutex(State())

    init(limit: Int) { self.limit = max(1, limit) }

    /// Takes a slot, waiting for one when all are taken (one waiter at most: the connection's reader).
    func acquire() async {
        let taken = state.withLock { state -> Bool in
            guard state.count < limit else { return false }
            state.count += 1
            return true
        }
        if taken { return }
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state -> Bool in
                if state.count < limit {
                    state.count += 1
                    return true
                }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Gives a slot back, handing it to the waiting reader if there is one.
    func release() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter  // the slot passes straight to the waiter
            }
            state.count -= 1
            return nil
        }
        waiter?.resume()
    }
}
