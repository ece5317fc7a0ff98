import Foundation
import Logging
import NostrClient
import NostrCore
import RelaySync

/// Follows one seed relay live once its backfill is done: one subscription to the crawled kinds
/// since a little before the newest event seen from it, saved in batches as they come, and a
/// reconnection with a doubling wait (reset by a connection that lasted) when it drops. The
/// cursor moves with what arrives, so a reconnection or a restart asks only for what is new.
struct LiveFollower: Sendable {
    let url: String
    let directory: RelayDirectory
    let store: any SyncStore
    let options: CrawlerOptions
    let statistics: CrawlerStatistics
    let stream: String
    let logger: Logger

    /// Follows until cancelled.
    func run() async {
        var failures = 0
        while !Task.isCancelled {
            let connected = ContinuousClock.now
            let error = await followOnce()
            if Task.isCancelled { return }
            // A connection that lasted a while was healthy: start the waits over.
            if ContinuousClock.now - connected > .seconds(60) { failures = 0 }
            failures += 1
            let delay = options.reconnectDelay * (1 << min(failures - 1, 6))
            logger.debug("live \(url): \(error ?? "ended"); reconnecting in \(delay)")
            try? await Task.sleep(for: delay)
        }
    }

    /// One connection's worth of following; returns why it ended.
    private func followOnce() async -> String? {
        let client: RelayClient
        do {
            client = try await RelayClient.connect(to: url, configuration: options.client, logger: logger)
        } catch {
            return "\(error)"
        }
        statistics.liveConnectionsCount.add(1, ordering: .relaxed)
        defer { statistics.liveConnectionsCount.subtract(1, ordering: .relaxed) }
        var cursor = directory.cursor(relay: url, stream: stream) ?? SyncCursor()
        let since = max(0, (cursor.newestSeen ?? 0) - Int64(options.liveOverlap.components.seconds))
        let subscription = "pp-live"
        var pending: [Event] = []
        var firstPending = ContinuousClock.now
        var ending: String?
        do {
            statistics.requestsCount.add(1, ordering: .relaxed)
            try await client.send(
                .request(subscriptionID: subscription, filters: [Filter(kinds: options.kinds, since: since)]))
            while !Task.isCancelled {
                let response: RelayResponse?
                do {
                    response = try await client.receive(timeout: .milliseconds(500))
                } catch RelayClientError.timedOut {
                    response = nil
                }
                switch response {
                case .event(subscription, let event):
                    statistics.eventsReceivedCount.add(1, ordering: .relaxed)
                    if event.createdAt >= since && options.kinds.contains(event.kind) {
                        if pending.isEmpty { firstPending = .now }
                        pending.append(event)
                    } else {
                        statistics.eventsRefusedCount.add(1, ordering: .relaxed)
                    }
                case .invalidEvent(subscription, _):
                    statistics.eventsReceivedCount.add(1, ordering: .relaxed)
                    statistics.eventsRefusedCount.add(1, ordering: .relaxed)
                case .closed(subscription, let message):
                    throw SyncError.remoteRefused("CLOSED \"\(message)\"")
                default:
                    break
                }
                if !pending.isEmpty
                    && (pending.count >= options.ingestBatch || ContinuousClock.now - firstPending > .milliseconds(500))
                {
                    try await save(&pending, cursor: &cursor)
                }
            }
        } catch {
            ending = "\(error)"
        }
        try? await save(&pending, cursor: &cursor)
        statistics.bytesReceivedCount.add(client.statistics.bytesReceived, ordering: .relaxed)
        await client.close()
        return ending
    }

    private func save(_ pending: inout [Event], cursor: inout SyncCursor) async throws {
        guard !pending.isEmpty else { return }
        let events = pending
        pending = []
        let outcomes = try await store.save(events)
        let now = Int64(Date().timeIntervalSince1970)
        var stored = 0
        for (event, outcome) in zip(events, outcomes) where outcome == .stored || outcome == .replaced {
            stored += 1
            // A clock running ahead cannot push the cursor into the future.
            cursor.newestSeen = max(cursor.newestSeen ?? 0, min(event.createdAt, now))
        }
        statistics.eventsStoredCount.add(stored, ordering: .relaxed)
        if stored > 0 { directory.setCursor(cursor, relay: url, stream: stream) }
    }
}
