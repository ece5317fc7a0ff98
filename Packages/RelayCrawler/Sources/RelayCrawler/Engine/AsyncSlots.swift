import Synchronization

/// A counting semaphore for tasks: at most `capacity` holders at once, the others wait in order
/// of arrival. Bounds the crawler's connections and its batches in the store's queue.
final class AsyncSlots: Sendable {
    private struct State {
        var available: Int
        var waiting: [(id: UInt64, continuation: CheckedContinuation<Bool, Never>)] = []
        var nextID: UInt64 = 0
    }

    private let state: Mutex<State>

    init(capacity: Int) { state = Mutex(State(available: max(1, capacity))) }

    /// Slots free now.
    var available: Int { state.withLock { $0.available } }

    /// Takes a slot if one is free, without waiting.
    func tryAcquire() -> Bool {
        state.withLock { state in
            guard state.available > 0 else { return false }
            state.available -= 1
            return true
        }
    }

    /// Waits for a slot; false when the task was cancelled meanwhile (no slot is held then).
    func acquire() async -> Bool {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                // Decided under the lock, so a continuation is either resumed here or queued, never both.
                let granted = state.withLock { state -> Bool? in
                    if Task.isCancelled { return false }
                    if state.available > 0 {
                        state.available -= 1
                        return true
                    }
                    state.waiting.append((id, continuation))
                    return nil
                }
                if let granted { continuation.resume(returning: granted) }
            }
        } onCancel: {
            let cancelled = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                guard let index = state.waiting.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiting.remove(at: index).continuation
            }
            cancelled?.resume(returning: false)
        }
    }

    /// Gives a slot back (to the first waiter, if any).
    func release() {
        let next = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            if state.waiting.isEmpty {
                state.available += 1
                return nil
            }
            return state.waiting.removeFirst().continuation
        }
        next?.resume(returning: true)
    }

    /// Runs `body` holding a slot; nil when cancelled before one was free.
    func withSlot<T: Sendable>(_ body: () async throws -> T) async rethrows -> T? {
        guard await acquire() else { return nil }
        defer { release() }
        return try await body()
    }
}
