import Foundation

/// A Foundation thread of its own for work that blocks: the store's single writer (LMDB commits)
/// and libpq's calls. Such work must never run on the event loops nor on the Swift concurrency
/// pool, where a slow disk or an unreachable server would hold shared threads hostage.
///
/// The thread starts at once and runs `body` to its end; callers wait for that end by blocking
/// (`join`) or by suspending (`finished`), each with an optional time limit, so that a body stuck
/// in a system call can be left behind instead of holding up a shutdown.
public final class DedicatedThread: @unchecked Sendable {
    /// The thread's name, as `top -H` and debuggers show it (Linux keeps the first 15 bytes).
    public let name: String
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var finished = false
    private var nextWaiter = 0
    private var waiters: [Int: CheckedContinuation<Bool, Never>] = [:]
    /// Waiters whose time ran out before they began to wait.
    private var expired = Set<Int>()

    /// Starts a thread named `name` (with a stack of `stackSize` bytes, if given) running `body`.
    public init(name: String, stackSize: Int? = nil, _ body: @escaping @Sendable () -> Void) {
        self.name = name
        let thread = Thread { [self] in
            // Named from inside: Foundation on Linux drops a name set before the thread starts.
            Self.nameCurrentThread(name)
            body()
            finish()
        }
        if let stackSize { thread.stackSize = stackSize }
        thread.start()
    }

    /// Whether the body has returned.
    public var isFinished: Bool { locked { finished } }

    /// Blocks the calling thread until the body has returned, or at most `timeout`; whether it
    /// returned. Never call it from an event loop or a task.
    public func join(timeout: Duration? = nil) -> Bool {
        let deadline = timeout.map { Date(timeIntervalSinceNow: Self.seconds($0)) } ?? .distantFuture
        condition.lock()
        defer { condition.unlock() }
        while !finished {
            if !condition.wait(until: deadline) { return finished }
        }
        return true
    }

    /// Suspends until the body has returned, or at most `timeout`; whether the body returned. No
    /// thread is blocked meanwhile. Cancelling the task does not end the wait (a shutdown that
    /// cancels must still let a writer finish): bound it with `timeout`.
    public func finished(within timeout: Duration? = nil) async -> Bool {
        let id = locked {
            nextWaiter += 1
            return nextWaiter
        }
        let timer = timeout.map { limit in
            Task { [self] in
                guard (try? await Task.sleep(for: limit)) != nil else { return }
                expire(id)
            }
        }
        defer { timer?.cancel() }
        return await withCheckedContinuation { continuation in
            let outcome = locked { () -> Bool? in
                if finished { return true }
                if expired.remove(id) != nil { return false }
                waiters[id] = continuation
                return nil
            }
            if let outcome { continuation.resume(returning: outcome) }
        }
    }

    /// Ends waiter `id`'s wait with `false`, or marks it expired if it has not begun waiting.
    private func expire(_ id: Int) {
        let waiter = locked { () -> CheckedContinuation<Bool, Never>? in
            guard !finished else { return nil }
            guard let waiter = waiters.removeValue(forKey: id) else {
                expired.insert(id)
                return nil
            }
            return waiter
        }
        waiter?.resume(returning: false)
    }

    private func finish() {
        let waiting = locked { () -> [CheckedContinuation<Bool, Never>] in
            finished = true
            condition.broadcast()
            defer { waiters.removeAll() }
            return Array(waiters.values)
        }
        for waiter in waiting { waiter.resume(returning: true) }
    }

    /// Names the calling thread in the kernel (what `top -H` and debuggers show; Linux keeps 15
    /// bytes). Foundation's `Thread.name` does not reliably reach the kernel on Linux, so the name
    /// is written to the thread's own `comm` file.
    static func nameCurrentThread(_ name: String) {
        guard let file = FileHandle(forWritingAtPath: "/proc/thread-self/comm") else { return }
        defer { try? file.close() }
        try? file.write(contentsOf: Data(name.utf8.prefix(15)))
    }

    /// The calling thread's kernel name ("" where there is no /proc).
    static var currentThreadName: String {
        let comm = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
        return comm.hasSuffix("\n") ? String(comm.dropLast()) : comm
    }

    private func locked<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
