import NostrClient
import NostrCore

/// The two differences negentropy found.
struct Reconciliation: Sendable {
    /// Ids we have and the remote lacks.
    var have: [EventID] = []
    /// Ids the remote has and we lack.
    var need: [EventID] = []
}

/// How a NEG-OPEN went.
enum ReconciliationOutcome: Sendable {
    /// Both differences are known.
    case reconciled(Reconciliation)
    /// The remote does not speak NIP-77 (or not for this filter): the reason, then REQ paging.
    case unsupported(String)
}

extension StoreSynchronizer {
    /// The subscription id of the negentropy session.
    static let negentropySubscription = "purplepages-sync"

    /// Reconciles `items` with the remote's set for the filter, as the NIP-77 initiator. A NEG-ERR,
    /// a NOTICE or silence in answer to NEG-OPEN means the remote does not speak it; after the
    /// first answer, anything wrong ends the sync (the remote has proved it speaks NIP-77).
    func reconcile(
        _ items: [NegentropyItem], over client: RelayClient, _ summary: inout SyncSummary
    ) async throws -> ReconciliationOutcome {
        let subscription = Self.negentropySubscription
        var initiator = try NegentropyInitiator(
            storage: NegentropyStorage(items), frameSizeLimit: options.frameSizeLimit)
        var filter = options.filter
        filter.limit = nil
        try await client.send(
            .negentropyOpen(subscriptionID: subscription, filter: filter, message: initiator.initiate()))
        var result = Reconciliation()
        while true {
            let response: RelayResponse
            do {
                response = try await client.receive(
                    timeout: summary.rounds == 0 ? options.negentropyTimeout : options.responseTimeout)
            } catch RelayClientError.timedOut where summary.rounds == 0 {
                try? await client.send(.negentropyClose(subscriptionID: subscription))
                return .unsupported("no answer to NEG-OPEN within \(SyncSummary.seconds(options.negentropyTimeout))")
            } catch RelayClientError.timedOut {
                throw SyncError.connectionLost("no NEG-MSG within \(SyncSummary.seconds(options.responseTimeout))")
            } catch let error as RelayClientError {
                throw SyncError.connectionLost(error.description)
            }
            switch response {
            case .negentropyMessage(subscription, let message):
                summary.rounds += 1
                let step: NegentropyInitiator.Step
                do {
                    step = try initiator.reconcile(message)
                } catch {
                    try? await client.send(.negentropyClose(subscriptionID: subscription))
                    throw SyncError.protocolViolation("malformed NEG-MSG: \(error)")
                }
                result.have += step.haveIDs
                result.need += step.needIDs
                guard result.need.count <= options.maxItems else {
                    try? await client.send(.negentropyClose(subscriptionID: subscription))
                    throw SyncError.tooManyItems(side: "remote", limit: options.maxItems)
                }
                summary.have = result.have.count
                summary.need = result.need.count
                progress?(summary)
                guard let next = step.nextMessage else {
                    try await client.send(.negentropyClose(subscriptionID: subscription))
                    return .reconciled(result)
                }
                try await client.send(.negentropyMessage(subscriptionID: subscription, message: next))
            case .negentropyError(subscription, let message):
                if summary.rounds == 0 { return .unsupported("NEG-ERR \"\(message)\"") }
                throw SyncError.remoteRefused("NEG-ERR \"\(message)\" after \(summary.rounds) rounds")
            case .notice(let message) where summary.rounds == 0:
                try? await client.send(.negentropyClose(subscriptionID: subscription))
                return .unsupported("NOTICE \"\(message)\"")
            case .notice(let message):
                logger.notice("\(client.url) says: \(message)")
            default:
                // AUTH (the client answers it when it has a key), or leftovers of other subscriptions.
                continue
            }
        }
    }
}
