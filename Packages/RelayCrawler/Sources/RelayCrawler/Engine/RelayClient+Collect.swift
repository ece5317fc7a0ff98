import Logging
import NostrClient
import NostrCore
import RelaySync

extension RelayClient {
    /// Sends one REQ for `filter` and collects its stored events up to EOSE (then CLOSEs it): those
    /// the filter matches, at most its `limit`. Whatever else arrives is counted as refused, and a
    /// relay that sends far more than it was asked for (valid or not) is flooding: the REQ fails
    /// rather than read on. Silence for `timeout`, a CLOSED or a lost connection fail it too.
    func collect(
        _ filter: Filter, timeout: Duration, statistics: CrawlerStatistics, logger: Logger
    ) async throws -> [Event] {
        let subscription = "pp-\(UInt32.random(in: 0...UInt32.max))"
        let limit = max(filter.limit ?? 500, 1)
        statistics.requestsCount.add(1, ordering: .relaxed)
        try await send(.request(subscriptionID: subscription, filters: [filter]))
        var events: [Event] = []
        var refused = 0
        while true {
            switch try await receive(timeout: timeout) {
            case .event(subscription, let event):
                statistics.eventsReceivedCount.add(1, ordering: .relaxed)
                if filter.matches(event) && events.count < limit {
                    events.append(event)
                    continue
                }
                refused += 1
            case .invalidEvent(subscription, _):
                statistics.eventsReceivedCount.add(1, ordering: .relaxed)
                refused += 1
            case .endOfStoredEvents(subscription):
                try await send(.close(subscriptionID: subscription))
                return events
            case .closed(subscription, let message):
                throw SyncError.remoteRefused("CLOSED \"\(message)\"")
            case .notice(let message):
                logger.debug("\(url) says: \(message)")
                continue
            default:
                continue
            }
            statistics.eventsRefusedCount.add(1, ordering: .relaxed)
            if refused > limit + 100 {
                throw SyncError.protocolViolation("sent \(refused) events it was not asked for")
            }
        }
    }
}
