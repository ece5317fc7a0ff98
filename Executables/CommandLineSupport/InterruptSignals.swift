import Dispatch
import Foundation
import Synchronization

/// SIGINT and SIGTERM handled instead of killing the process, so that a command can stop cleanly:
/// each signal calls `handler` with its number and how many such signals have come so far (a
/// command may take the second one as "exit now").
public final class InterruptSignals {
    private let sources: [any DispatchSourceSignal]

    /// Starts handling SIGINT and SIGTERM; `handler` runs on a dispatch queue.
    public init(_ handler: @escaping @Sendable (_ signal: Int32, _ count: Int) -> Void) {
        let received = Received()
        sources = [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                handler(signalNumber, received.count.add(1, ordering: .relaxed).newValue)
            }
            source.resume()
            return source
        }
    }

    /// Stops handling (the signals stay ignored).
    public func cancel() { sources.forEach { $0.cancel() } }

    /// The signals received so far, shared by the handlers.
    private final class Received: Sendable {
        let count = Atomic<Int>(0)
    }
}
