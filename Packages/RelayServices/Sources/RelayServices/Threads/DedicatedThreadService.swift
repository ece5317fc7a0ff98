import Logging
import ServiceLifecycle

/// Runs a `BackgroundLoop` on a `DedicatedThread` as a service of a `ServiceGroup`.
///
/// The loop starts with the service. When the group shuts down (gracefully, or by cancellation)
/// the loop is asked to stop, and the service ends once it has returned, or after `stopTimeout`
/// if it is stuck in a system call (then the thread is left behind and a warning logged), so one
/// stuck loop never holds up the services that stop after it.
public struct DedicatedThreadService: Service, CustomStringConvertible {
    /// The thread's name, also the service's in logs.
    public let name: String
    private let loop: any BackgroundLoop
    private let stackSize: Int?
    private let stopTimeout: Duration
    private let logger: Logger

    /// A service running `loop` on a thread named `name` (15 bytes at most on Linux).
    public init(
        name: String, loop: any BackgroundLoop, stackSize: Int? = nil, stopTimeout: Duration = .seconds(10),
        logger: Logger
    ) {
        self.name = name
        self.loop = loop
        self.stackSize = stackSize
        self.stopTimeout = stopTimeout
        self.logger = logger
    }

    public var description: String { name }

    public func run() async {
        let loop = loop
        let thread = DedicatedThread(name: name, stackSize: stackSize) { loop.run() }
        // Waits for the group's shutdown; a cancelled group (a service failed) ends the wait too.
        try? await gracefulShutdown()
        loop.requestStop()
        if await !thread.finished(within: stopTimeout) {
            logger.warning("\(name) did not stop within \(stopTimeout); leaving its thread behind")
        }
    }
}
