import Synchronization

/// Something with waits that end at a deadline, which the `DeadlineTicker` enforces.
protocol DeadlineWatched: AnyObject, Sendable {
    /// Ends the waits whose deadline is `now` or earlier.
    func expire(now: ContinuousClock.Instant)
    /// Whether no wait can come any more (the ticker then forgets it).
    var isFinished: Bool { get }
}

/// Ends overdue waits: one task that, every 100 ms, expires the waits of every live `WaitQueue`
/// whose deadline has passed, instead of a timer task per wait. The relay benchmark keeps 10,000
/// connections waiting and times replies in microseconds; a timer per wait would cost more than
/// what it measures.
public final class DeadlineTicker: Sendable {
    /// The ticker every `WaitQueue` uses.
    public static let shared = DeadlineTicker(interval: .milliseconds(100))

    private struct Entry {
        weak var watched: (any DeadlineWatched)?
    }

    private let entries = Mutex<[Entry]>([])

    private init(interval: Duration) {
        Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let self else { return }
                self.tick()
            }
        }
    }

    /// Starts watching `watched`; it is dropped once finished or released.
    func watch(_ watched: any DeadlineWatched) {
        entries.withLock { $0.append(Entry(watched: watched)) }
    }

    private func tick() {
        let now = ContinuousClock.Instant.now
        let live = entries.withLock { entries -> [any DeadlineWatched] in
            entries.removeAll { $0.watched?.isFinished ?? true }
            return entries.compactMap(\.watched)
        }
        for watched in live { watched.expire(now: now) }
    }
}
