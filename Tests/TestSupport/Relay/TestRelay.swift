import Foundation
import Hummingbird
import LMDBStore
import LMDBStoreTesting
import Logging
import NostrCore
import PGAnalytics
import PurplePagesConfiguration
import RelayClientCore
import RelayServer
import RelayServices
import Synchronization
import Testing

/// Stores that could not be closed because their relay did not stop in time: kept open for the rest
/// of the run rather than closed under a live server.
private let abandonedStores = Mutex<[TemporaryStore]>([])

/// Runs `body` against a real relay: a `Relay` over a fresh `TemporaryStore`, served by
/// `RelayApplication` on 127.0.0.1 with an ephemeral port, which `body` receives. `configure`
/// adjusts the configuration first (the store's default and maximum limits follow it),
/// `trustedFollowers` stands in for the analytics results and `tracking` receives what the relay
/// records. The server is stopped, and the store removed, when `body` returns or throws.
public func withTestRelay<T: Sendable>(
    configure: (inout RelayConfiguration) -> Void = { _ in },
    trustedFollowers: any TrustedFollowerProvider = NoTrustedFollowers(),
    tracking: TrackingSink? = nil,
    _ body: (Relay, Int) async throws -> T
) async throws -> T {
    var configuration = RelayConfiguration()
    configuration.server.host = "127.0.0.1"
    configuration.server.port = 0
    configure(&configuration)
    let limits = configuration.limits
    let metrics = RelayMetrics()
    let historyKinds = configuration.analytics.historyKinds
    let temporary = try TemporaryStore { store in
        store.defaultLimit = limits.defaultLimit
        store.maxLimit = limits.maxLimit
        store.onCommit = metrics.commitObserver
        if let tracking { store.onReplace = EventHistoryArchiver.onReplace(tracking, kinds: historyKinds) }
    }
    // Cancelling the server (how tests stop it) makes HummingbirdCore log errors; set
    // PURPLEPAGES_TEST_LOG=debug (or another level) to see the relay's log.
    var logger = Logger(label: "test-relay")
    logger.logLevel =
        ProcessInfo.processInfo.environment["PURPLEPAGES_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
    let relay = try Relay(
        configuration: configuration, store: temporary.store, logger: logger, trustedFollowers: trustedFollowers,
        metrics: metrics, traffic: tracking.map { TrackingRecorder(sink: $0) })
    let ports = WaitQueue<Int>()
    let application = RelayApplication.make(relay: relay, port: 0) { port in ports.push(port) }
    let server = Task {
        defer { ports.finish() }
        try await application.runService(gracefulShutdownSignals: [])
    }
    guard let port = await ports.take(timeout: .seconds(10)) else {
        server.cancel()
        let outcome = await server.result
        throw TestFailure("the relay did not start listening within 10 s (\(outcome))")
    }
    let result: Result<T, any Error>
    do {
        result = .success(try await body(relay, port))
    } catch {
        result = .failure(error)
    }
    if await !stop(server) {
        abandonedStores.withLock { $0.append(temporary) }
        Issue.record("the relay on port \(port) did not stop within 10 s of being cancelled")
    }
    return try result.get()
}

/// Cancels the server task and waits (at most 10 s) for it to end.
private func stop(_ server: Task<Void, any Error>) async -> Bool {
    let done = WaitQueue<Bool>()
    Task {
        _ = await server.result
        done.push(true)
    }
    server.cancel()
    return await done.take(timeout: .seconds(10)) != nil
}
