import LMDBStore
import NostrCore

/// NIP-77 negentropy sync: NEG-OPEN lists the filter's events from one read snapshot and answers
/// with a responder kept as the connection's session; NEG-MSG continues it, NEG-CLOSE frees it.
/// Every refusal is a `NEG-ERR`, after which the session of that id is closed (NIP-77); the
/// connection itself stays usable.
///
/// Only NEG-OPEN costs a request token and is held to the daily budget, like a REQ: it is what
/// scans the store. A NEG-MSG costs a reconciliation step bounded by its own size and the frame
/// size limit, like parsing any message.
extension ConnectionSession {
    /// NEG-OPEN: refusals first (request rate and daily budget as for a REQ, then the sessions
    /// limit), then the filter's item list, then the responder's answer to the initial message.
    func openNegentropy(_ id: String, _ filter: Filter, _ message: [UInt8]) {
        guard limits.negentropyEnabled else { return refuseNegentropy(id) }
        negentropy.closeIdle(now: .now)
        // NIP-77: a NEG-OPEN for an open id closes that session first, whatever becomes of this one.
        negentropy.close(id)
        if let reason = readRefusal() {
            sink.send(.negentropyError(subscriptionID: id, reason: reason))
            if reason.prefix == .authRequired { sink.send(.auth(challenge: challenge)) }
            return
        }
        guard negentropy.count < limits.negentropyMaxSessions else {
            let reason = Reason.blocked("too many negentropy sessions (max \(limits.negentropyMaxSessions))")
            sink.send(.negentropyError(subscriptionID: id, reason: reason))
            return
        }
        guard relay.negentropyBudget.hasRoom else { return refuseBusy(id) }
        relay.trackRequest(from: client, [filter])
        let responder: NegentropyResponder
        let items: Int
        do {
            // One read transaction: events saved from now on are not part of this session.
            let list = try relay.store.negentropyItems(filter, limit: limits.negentropyMaxItems)
            items = list.count
            responder = try NegentropyResponder(
                storage: NegentropyStorage(list), frameSizeLimit: limits.negentropyFrameSizeLimit)
        } catch StoreError.tooManyResults(let limit) {
            let reason = Reason.blocked("too many results (max \(limit) events)")
            sink.send(.negentropyError(subscriptionID: id, reason: reason))
            return
        } catch {
            relay.logger.error("negentropy items for \(id) failed: \(error)")
            sink.send(.negentropyError(subscriptionID: id, reason: .error("the query failed")))
            return
        }
        // Held from here until the session closes (NegentropySessions gives it back).
        guard relay.negentropyBudget.reserve(items) else { return refuseBusy(id) }
        do {
            // Idle time counts from now: building a large list may have taken a while.
            let reply = try negentropy.open(
                id, responder: responder, items: items, initialMessage: message, now: .now)
            relay.negentropySweeper.watch(negentropy)
            sink.send(.negentropyMessage(subscriptionID: id, message: reply))
        } catch {
            relay.negentropyBudget.release(items)
            sink.send(.negentropyError(subscriptionID: id, reason: .invalid(Self.describe(error))))
        }
    }

    /// The answer when every connection's sessions together hold `negentropy_max_total_items`.
    private func refuseBusy(_ id: String) {
        let reason = Reason.rateLimited(
            "too many negentropy syncs at once (max \(limits.negentropyMaxTotalItems) events held), try again later")
        sink.send(.negentropyError(subscriptionID: id, reason: reason))
    }

    /// NEG-MSG: the open session's next reply; no request token (see above).
    func continueNegentropy(_ id: String, _ message: [UInt8]) {
        guard limits.negentropyEnabled else { return refuseNegentropy(id) }
        // A session that went idle just before this message was closed (and said so) here.
        if negentropy.closeIdle(now: .now).contains(id) { return }
        switch negentropy.reconcile(id, message, now: .now) {
        case .reply(let reply):
            sink.send(.negentropyMessage(subscriptionID: id, message: reply))
        case .unknown:
            sink.send(
                .negentropyError(subscriptionID: id, reason: Reason(.closed, "no open negentropy session has this id")))
        case .failed(let error):
            sink.send(.negentropyError(subscriptionID: id, reason: .invalid(Self.describe(error))))
        }
    }

    /// NEG-CLOSE: frees the session, without a reply.
    func closeNegentropy(_ id: String) {
        guard limits.negentropyEnabled else { return }
        negentropy.close(id)
        negentropy.closeIdle(now: .now)
    }

    /// The answer when negentropy is turned off (`limits.negentropy_enabled: false`).
    private func refuseNegentropy(_ id: String) {
        sink.send(
            .negentropyError(subscriptionID: id, reason: Reason(.closed, "negentropy sync (NIP-77) is not offered")))
    }

    /// What was wrong with a client's negentropy message, for `NEG-ERR "invalid: ..."`.
    static func describe(_ error: NegentropyError) -> String {
        switch error {
        case .invalidProtocolVersion(nil): "empty negentropy message"
        case .invalidProtocolVersion(let byte?):
            "not a negentropy message: first byte 0x\(Hex.encode([byte])) is no protocol version"
        case .unsupportedProtocolVersion(let byte):
            "unsupported negentropy protocol version 0x\(Hex.encode([byte]))"
        case .truncatedVarint: "negentropy message ends inside a varint"
        case .varintOverflow: "negentropy varint longer than 64 bits"
        case .truncatedMessage: "negentropy message ends inside a bound, fingerprint or id"
        case .boundPrefixTooLong(let length): "negentropy bound with an id prefix of \(length) bytes (at most 32)"
        case .boundOutOfOrder: "negentropy ranges out of order"
        case .unexpectedMode(let mode): "unknown negentropy range mode \(mode)"
        case .frameSizeLimitTooSmall, .duplicateItem, .alreadyInitiated, .notInitiated: "negentropy error: \(error)"
        }
    }
}
