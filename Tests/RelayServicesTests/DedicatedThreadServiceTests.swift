import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import RelayServices

/// A loop that waits until asked to stop, then takes `stopTime` to finish, recording when it ended.
private final class RecordingLoop: BackgroundLoop {
    let name: String
    let journal: Journal
    let stopTime: Duration
    private let stop = DispatchSemaphore(value: 0)

    init(_ name: String, journal: Journal, stopTime: Duration = .zero) {
        self.name = name
        self.journal = journal
        self.stopTime = stopTime
    }

    func run() {
        journal.append("\(name) running on \(DedicatedThread.currentThreadName)")
        stop.wait()
        Thread.sleep(
            forTimeInterval: Double(stopTime.components.seconds) + Double(stopTime.components.attoseconds) / 1e18)
        journal.append("\(name) stopped")
    }

    func requestStop() {
        journal.append("\(name) asked to stop")
        stop.signal()
    }
}

/// Lines appended from any thread.
private final class Journal: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

/// Log messages at warning and above, kept.
private struct RecordingLogHandler: LogHandler {
    let journal: Journal
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .warning
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) { journal.append("log: \(event.message)") }
}

@Suite("DedicatedThreadService in a ServiceGroup")
struct DedicatedThreadServiceTests {
    @Test func loopsStopInTheReverseOrderEachAfterTheLastHasFinished() async throws {
        let journal = Journal()
        let logger = Logger(label: "test")
        let loops = [
            RecordingLoop("first", journal: journal),
            RecordingLoop("second", journal: journal, stopTime: .milliseconds(200)),
            RecordingLoop("third", journal: journal),
        ]
        let services = loops.enumerated().map { index, loop in
            DedicatedThreadService(name: "pp-test-\(index)", loop: loop, logger: logger)
        }
        let group = ServiceGroup(services: services, logger: logger)
        let running = Task { try await group.run() }
        #expect(await eventually { journal.all.filter { $0.contains("running") }.count == 3 })
        #expect(journal.all.contains("second running on pp-test-1"))
        await group.triggerGracefulShutdown()
        try await running.value
        let stops = journal.all.filter { !$0.contains("running") }
        #expect(
            stops == [
                "third asked to stop", "third stopped", "second asked to stop", "second stopped",
                "first asked to stop", "first stopped",
            ])
    }

    @Test func aLoopStuckPastItsStopTimeoutIsLeftBehindAndSaidSo() async throws {
        let journal = Journal()
        let logger = Logger(label: "test") { _ in RecordingLogHandler(journal: journal) }
        let stuck = RecordingLoop("stuck", journal: journal, stopTime: .seconds(2))
        let after = RecordingLoop("after", journal: journal)
        let group = ServiceGroup(
            services: [
                DedicatedThreadService(name: "pp-after", loop: after, logger: logger),
                DedicatedThreadService(name: "pp-stuck", loop: stuck, stopTimeout: .milliseconds(100), logger: logger),
            ], logger: logger)
        let running = Task { try await group.run() }
        #expect(await eventually { journal.all.filter { $0.contains("running") }.count == 2 })
        let started = ContinuousClock.now
        await group.triggerGracefulShutdown()
        try await running.value
        // The group did not wait the stuck loop's 2 s: the next service stopped right after the timeout.
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(journal.all.contains("log: pp-stuck did not stop within 0.1 seconds; leaving its thread behind"))
        #expect(journal.all.contains("after stopped"))
        #expect(!journal.all.contains("stuck stopped"))
    }

    @Test func aCancelledGroupStillStopsItsLoops() async throws {
        let journal = Journal()
        let loop = RecordingLoop("loop", journal: journal)
        let group = ServiceGroup(
            services: [DedicatedThreadService(name: "pp-cancel", loop: loop, logger: Logger(label: "test"))],
            logger: Logger(label: "test"))
        let running = Task { try await group.run() }
        #expect(await eventually { journal.all.contains("loop running on pp-cancel") })
        running.cancel()
        _ = try? await running.value
        #expect(journal.all.suffix(2) == ["loop asked to stop", "loop stopped"])
    }

    /// Polls `condition` every 10 ms for up to 5 s.
    private func eventually(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }
}
