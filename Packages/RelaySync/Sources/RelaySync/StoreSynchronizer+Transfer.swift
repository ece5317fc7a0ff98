import NostrClient
import NostrCore

extension StoreSynchronizer {
    /// Fetches `ids` from the remote by REQ, `fetchBatch` at a time, and saves what arrives. An
    /// event is saved only if it was asked for (and, as every event the client hands on, has a
    /// valid id and signature and passed the policy). A remote that caps a REQ's `limit` below the
    /// batch is asked again for the rest, until a request brings nothing new.
    func download(_ ids: [EventID], over client: RelayClient, _ summary: inout SyncSummary) async throws {
        // Events of finished fetches wait for one large save: in a big store each commit rewrites
        // the index pages it touches, so a few large commits cost far less than many small ones.
        var unsaved: [Event] = []
        do {
            var requests = 0
            for start in stride(from: 0, to: ids.count, by: options.fetchBatch) {
                var wanted = Set(ids[start..<min(start + options.fetchBatch, ids.count)])
                // Another sync into the same store (the crawler runs several) may have stored some meanwhile.
                let already = try store.storedIDs(among: Array(wanted))
                wanted.subtract(already)
                summary.alreadyStored += already.count
                var invalid = 0
                while !wanted.isEmpty {
                    let subscription = "purplepages-fetch-\(requests)"
                    requests += 1
                    let asked = Array(wanted)
                    try await client.send(
                        .request(subscriptionID: subscription, filters: [Filter(ids: asked, limit: asked.count)]))
                    let (events, invalidNow) = try await receiveRequested(
                        subscription, wanted: &wanted, from: client, &summary)
                    try await client.send(.close(subscriptionID: subscription))
                    unsaved += events
                    invalid += invalidNow
                    if unsaved.count >= options.saveBatch {
                        try await save(unsaved, &summary)
                        unsaved = []
                    }
                    progress?(summary)
                    // Ask again only a remote that brought something and nothing invalid (an invalid
                    // event would come back each time, standing for an id we cannot name).
                    if events.isEmpty || invalidNow > 0 { break }
                }
                // An invalid event names no id we can trust, so it stands for one of the missing ones.
                summary.missing += max(0, wanted.count - invalid)
            }
        } catch {
            // What whole fetches brought is kept; the unfinished one is not.
            try? await save(unsaved, &summary)
            throw error
        }
        try await save(unsaved, &summary)
        progress?(summary)
    }

    /// The events of one fetch REQ up to its EOSE: those in `wanted` (taken out of it), and how
    /// many invalid ones came.
    private func receiveRequested(
        _ subscription: String, wanted: inout Set<EventID>, from client: RelayClient, _ summary: inout SyncSummary
    ) async throws -> ([Event], Int) {
        var events: [Event] = []
        var invalid = 0
        var unasked = 0
        while true {
            switch try await next(from: client) {
            case .event(subscription, let event):
                summary.received += 1
                if wanted.remove(event.id) != nil {
                    events.append(event)
                } else {
                    summary.refuse("not asked for")
                    unasked += 1
                    // A remote sending far more than it was asked for is flooding: stop listening.
                    if unasked > options.fetchBatch + 100 {
                        throw SyncError.protocolViolation("sent \(unasked) events it was not asked for")
                    }
                }
            case .invalidEvent(subscription, let reason):
                summary.received += 1
                invalid += 1
                summary.refuse(reason.description)
            case .endOfStoredEvents(subscription):
                return (events, invalid)
            case .closed(subscription, let message):
                throw SyncError.remoteRefused("CLOSED \"\(message)\" while fetching events")
            case .notice(let message):
                logger.notice("\(client.url) says: \(message)")
            default:
                continue
            }
        }
    }

    /// Sends the events of `ids` from the local store, keeping at most `uploadWindow` unanswered,
    /// and counts the remote's OKs. Events gone from the store meanwhile are skipped.
    func upload(_ ids: [EventID], over client: RelayClient, _ summary: inout SyncSummary) async throws {
        var pending = Set<EventID>()
        for start in stride(from: 0, to: ids.count, by: options.fetchBatch) {
            let batch = Array(ids[start..<min(start + options.fetchBatch, ids.count)])
            for event in try store.queryEvents([Filter(ids: batch, limit: batch.count)], limit: nil) {
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
