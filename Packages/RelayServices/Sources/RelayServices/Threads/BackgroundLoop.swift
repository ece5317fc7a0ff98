/// Work that runs on a thread of its own until asked to stop: `run()` blocks, doing the work,
/// and returns soon after `requestStop()` (having finished what must not be lost: the writer
/// commits what is queued, the tracking flusher writes what it holds).
///
/// `DedicatedThreadService` runs one as a service of the relay's `ServiceGroup`.
public protocol BackgroundLoop: Sendable {
    /// Does the work on the calling thread until a stop is requested.
    func run()
    /// Asks `run()` to finish and return; returns at once.
    func requestStop()
}
