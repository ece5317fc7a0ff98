import NostrClient
import NostrCore

extension StoreSynchronizer {
    /// Reads every remote event of the filter by REQ pages, newest first, moving `until` down to
    /// the oldest second of each page, and saves those the store lacks (when downloading). Returns
    /// the ids the remote holds.
    ///
    /// A page ends at a second that may hold more events than the page showed, so the next page
    /// asks again from that same second (`until` is inclusive) and skips what it already saw; the
    /// Go original asked from the second before and lost the rest of that second. Paging ends at
    /// the first page with nothing older, never at a short page, so a relay that caps `limit`
    /// below ours loses nothing. Only a single second holding more events than a page can be cut
    /// short: the summary names such seconds.
    func page(
        over client: RelayClient, local: Set<EventID>, _ summary: inout SyncSummary
    ) async throws -> Set<EventID> {
        var remote = Set<EventID>()
        var until = options.filter.until
        // The most events the remote put in a page that more events followed: its real page size
        // when it caps `limit` below ours.
        var observedCap: Int?
        var previousCount = 0
        // Lacking events wait for one large save (see `download`).
        var unsaved: [Event] = []
        do {
            while true {
                var filter = options.filter
                filter.until = until
                filter.limit = options.pageSize
                let subscription = "purplepages-page-\(summary.rounds)"
                summary.rounds += 1
                try await client.send(.request(subscriptionID: subscription, filters: [filter]))
                var events: [Event] = []
                receiving: while true {
                    switch try await next(from: client) {
                    case .event(subscription, let event):
                        summary.received += 1
                        if filter.matches(event) {
                            events.append(event)
                        } else {
                            summary.refuse("does not match the filter")
                        }
                    case .invalidEvent(subscription, let reason):
                        summary.received += 1
                        summary.refuse(reason.description)
                    case .endOfStoredEvents(subscription):
                        break receiving
                    case .closed(subscription, let message):
                        throw SyncError.remoteRefused("CLOSED \"\(message)\" while paging")
                    case .notice(let message):
                        logger.notice("\(client.url) says: \(message)")
                    default:
                        continue
                    }
                }
                try await client.send(.close(subscriptionID: subscription))
                guard let oldest = events.lazy.map(\.createdAt).min() else { break }
                var fresh: [Event] = []
                for event in events where remote.insert(event.id).inserted {
                    fresh.append(event)
                }
                guard remote.count <= options.maxItems else {
                    throw SyncError.tooManyItems(side: "remote", limit: options.maxItems)
                }
                summary.remoteItems = remote.count
                let lacking = fresh.filter { !local.contains($0.id) }
                summary.need += lacking.count
                if options.direction.downloads && !options.dryRun {
                    unsaved += lacking
                    if unsaved.count >= options.saveBatch {
                        try await save(unsaved, &summary)
                        unsaved = []
                    }
                }
                progress?(summary)

                defer { previousCount = events.count }
                if let bound = until, oldest >= bound {
                    // The whole page sits on the boundary second.
                    guard fresh.isEmpty else { continue }  // it showed new events of that second: ask again
                    if events.count >= min(options.pageSize, observedCap ?? options.pageSize) {
                        summary.crowdedSeconds.append(bound)
                    }
                    guard bound > Int64.min, bound - 1 >= (options.filter.since ?? Int64.min) else { break }
                    until = bound - 1
                } else {
                    if until != nil, !fresh.isEmpty { observedCap = max(observedCap ?? 0, previousCount) }
                    until = oldest
                }
            }
        } catch {
            try? await save(unsaved, &summary)
            throw error
        }
        try await save(unsaved, &summary)
        return remote
    }
}
