import NostrClient
import NostrCore

extension StoreSynchronizer {
    /// Fetches `ids` from the remote by REQ, `fetchBatch` at a time, and saves what arrives. An
    /// event is saved only if it was asked for (and, as every event the client hands on, has a
    /// valid id and signature and passed the policy).
    func download(_ ids: [EventID], over client: RelayClient, _ summary: inout SyncSummary) async throws {
        for (number, start) in stride(from: 0, to: ids.count, by: options.fetchBatch).enumerated() {
            let batch = Array(ids[start..<min(start + options.fetchBatch, ids.count)])
            let subscription = "purplepages-fetch-\(number)"
            var wanted = Set(batch)
            var invalid = 0
            var events: [Event] = []
            events.reserveCapacity(batch.count)
            try await client.send(
                .request(subscriptionID: subscription, filters: [Filter(ids: batch, limit: batch.count)]))
            receiving: while true {
                switch try await next(from: client) {
                case .event(subscription, let event):
                    summary.received += 1
                    if wanted.remove(event.id) != nil {
                        events.append(event)
                    } else {
                        summary.refuse("not asked for")
                    }
                case .invalidEvent(subscription, let reason):
                    summary.received += 1
                    invalid += 1
                    summary.refuse(reason.description)
                case .endOfStoredEvents(subscription):
                    break receiving
                case .closed(subscription, let message):
                    throw SyncError.remoteRefused("CLOSED \"\(message)\" while fetching events")
                case .notice(let message):
                    logger.notice("\(client.url) says: \(message)")
                default:
                    continue
                }
            }
            try await client.send(.close(subscriptionID: subscription))
            try await save(events, &summary)
            // An invalid event names no id we can trust, so it stands for one of the missing ones.
            summary.missing += max(0, wanted.count - invalid)
            progress?(summary)
        }
    }

    /// Sends the events of `ids` from the local store, keeping at most `uploadWindow` unanswered,
    /// and counts the remote's OKs. Events gone from the store meanwhile are skipped.
    func upload(_ ids: [EventID], over client: RelayClient, _ summary: inout SyncSummary) async throws {
        var pending = Set<EventID>()
        for start in stride(from: 0, to: ids.count, by: options.fetchBatch) {
            let batch = Array(ids[start..<min(start + options.fetchBatch, ids.count)])
            for event in try store.queryEvents([Filter(ids: batch, limit: batch.count)]) {
                while pending.count >= options.uploadWindow {
                    try await awaitAnswer(&pending, from: client, &summary)
                }
                try await client.send(.event(event))
                summary.sent += 1
                pending.insert(event.id)
            }
            progress?(summary)
        }
        while !pending.isEmpty {
            do {
                try await awaitAnswer(&pending, from: client, &summary)
            } catch SyncError.connectionLost(let reason) {
                summary.unanswered += pending.count
                throw SyncError.connectionLost(reason)
            }
        }
        progress?(summary)
    }

    /// Reads until one of `pending` is answered by an OK.
    private func awaitAnswer(
        _ pending: inout Set<EventID>, from client: RelayClient, _ summary: inout SyncSummary
    ) async throws {
        while true {
            switch try await next(from: client) {
            case .ok(let id, let accepted, let message) where pending.contains(id):
                pending.remove(id)
                if accepted {
                    summary.accepted += 1
                } else {
                    summary.rejected[String(message.prefix(120)), default: 0] += 1
                }
                return
            case .notice(let message):
                logger.notice("\(client.url) says: \(message)")
            default:
                continue
            }
        }
    }
}
