import Synchronization

/// Ends overdue waits: one task that, every 100 ms, expires every `WaitQueue` wait whose deadline
/// has passed, instead of a timer task per wait. The relay benchmark keeps 10,000 connections
/// waiting and times replies in microseconds; a timer per wait would cost more than what it
/// measures, and so would a tick that looked into every queue: a tick reads one atomic per queue.
public final class DeadlineTicker: Sendable {
    /// The ticker every `WaitQueue` uses.
    public static let shared = DeadlineTicker(interval: .milliseconds(100))

    /// The instant deadlines are counted from.
    private static let origin = ContinuousClock.now

    private let deadlines = Mutex<[WaitDeadline]>([])

    private init(interval: Duration) {
        Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let self else { return }
                self.tick()
            }
        }
    }

    /// `instant` as nanoseconds since the ticker's origin.
    static func nanoseconds(_ instant: ContinuousClock.Instant) -> Int64 {
        let (seconds, attoseconds) = (instant - origin).components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// Starts watching `deadline`; it is dropped once its queue is finished or gone.
    func watch(_ deadline: WaitDeadline) {
        deadlines.withLock { $0.append(deadline) }
    }

    private func tick() {
        let now = Self.nanoseconds(.now)
        let overdue = deadlines.withLock { deadlines -> [WaitDeadline] in
            deadlines.removeAll { $0.isDone }
            return deadlines.filter { $0.nanoseconds.load(ordering: .relaxed) <= now }
        }
        for deadline in overdue { deadline.expire(now: now) }
    }
}

/// When the reader of one `WaitQueue` stops waiting, kept where the ticker reads it without
/// touching the queue itself.
final class WaitDeadline: Sendable {
    /// The end of the current wait, in `DeadlineTicker.nanoseconds`; `Int64.max` while nobody waits.
    let nanoseconds = Atomic<Int64>(.max)
    private let done = Atomic<Bool>(false)
    private let expiry = Mutex<(@Sendable (Int64) -> Void)?>(nil)

    /// Whether the queue is finished or gone (no wait can come any more).
    var isDone: Bool { done.load(ordering: .relaxed) }

    /// The queue is finished or gone.
    func markDone() { done.store(true, ordering: .relaxed) }

    /// What ends the queue's overdue wait (set once the queue exists).
    func onExpiry(_ expire: @escaping @Sendable (Int64) -> Void) {
        expiry.withLock { $0 = expire }
    }

    /// Ends the queue's wait if it is due at `now`.
    func expire(now: Int64) {
        let expire = expiry.withLock { $0 }
        expire?(now)
    }
}
