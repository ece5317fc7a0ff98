import Dispatch
import Synchronization

/// A request to stop (SIGTERM), checked by the worker between jobs and while it sleeps between
/// passes.
public final class StopSignal: Sendable {
    private let requested = Atomic<Bool>(false)
    private let wakeUp = DispatchSemaphore(value: 0)

    /// Not yet requested.
    public init() {}

    /// Requests the stop; wakes a sleeping worker.
    public func stop() {
        if !requested.exchange(true, ordering: .sequentiallyConsistent) { wakeUp.signal() }
    }

    /// Whether a stop was requested.
    public var isStopped: Bool { requested.load(ordering: .sequentiallyConsistent) }

    /// Sleeps up to `seconds`; returns early (and true) when a stop is requested.
    public func sleep(seconds: Double) -> Bool {
        if isStopped { return true }
        _ = wakeUp.wait(timeout: .now() + seconds)
        if isStopped { wakeUp.signal() }
        return isStopped
    }
}
