import Foundation
import LMDBStore
import NIOCore
import NostrCore
import PurplePagesConfiguration

/// One client connection's protocol state and message handling (NIP-01, NIP-09, NIP-40, NIP-42,
/// NIP-45, NIP-70; NIP-77 in `ConnectionSession+Negentropy.swift`), independent of the WebSocket
/// library.
final class ConnectionSession: @unchecked Sendable {
    let relay: Relay
    let sink: ConnectionSink
    /// The NIP-42 challenge sent when the connection opened.
    let challenge: String
    /// Host (and port) the client connected to, for the NIP-42 `relay` tag.
    let host: String
    /// The IP the connection counts as (rate limits, traffic budget).
    let client: String
    // Touched only by the connection's reader task, one message at a time.
    private var subscriptionIDs = Set<String>()
    private var authenticated = Set<PublicKey>()
    /// EVENTs waiting for the store at most, per connection.
    static let eventsInFlight = 256
    private let inFlight = InFlightLimit(limit: ConnectionSession.eventsInFlight)
    /// Open NIP-77 sessions.
    let negentropy: NegentropySessions

    init(relay: Relay, sink: ConnectionSink, host: String, client: String) {
        self.relay = relay
        self.sink = sink
        self.host = host
        self.client = client
        negentropy = NegentropySessions(
            sink: sink, idleTime: .seconds(relay.configuration.limits.negentropyIdleSeconds), metrics: relay.metrics,
            budget: relay.negentropyBudget)
        var generator = SystemRandomNumberGenerator()
        challenge = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    var limits: RelayConfiguration.Limits { relay.configuration.limits }

    /// Greets the client with a NIP-42 challenge.
    func start() { sink.send(.auth(challenge: challenge)) }

    /// Handles one text message.
    func handle(_ bytes: [UInt8]) async {
        guard bytes.count <= limits.maxMessageBytes else {
            relay.metrics.received(.invalid)
            sink.send(.notice("invalid: message of \(bytes.count) bytes is larger than \(limits.maxMessageBytes)"))
            return
        }
        let message: ClientMessage
        do {
            message = try ClientMessage.parse(bytes)
        } catch {
            relay.metrics.received(MessageType(unparsed: bytes))
            // CLOSED ends the subscription of that id, whatever it was doing before; NEG-ERR the
            // negentropy session (NIP-77).
            switch error.reply {
            case .closed(let id): close(id)
            case .negentropyError(let id): negentropy.close(id)
            case .notice, .ok: break
            }
            sink.send(error.relayMessage)
            return
        }
        relay.metrics.received(MessageType(message))
        switch message {
        case .event(let event): await publish(event)
        case .request(let id, let filters): subscribe(id, filters)
        case .close(let id): close(id)
        case .count(let id, let filters): count(id, filters)
        case .auth(let event): authenticate(event)
        case .negentropyOpen(let id, let filter, let message): openNegentropy(id, filter, message)
        case .negentropyMessage(let id, let message): continueNegentropy(id, message)
        case .negentropyClose(let id): closeNegentropy(id)
        }
    }

    /// Forgets the connection's subscriptions and negentropy sessions.
    func finish() {
        relay.subscriptions.removeAll(connection: sink.id)
        relay.negentropySweeper.unwatch(connection: sink.id)
        negentropy.removeAll()
    }

    // MARK: EVENT

    private func publish(_ event: Event) async {
        guard relay.eventBuckets.take(client, now: relay.preciseNow) else {
            answer(event, accepted: false, reason: .rateLimited("slow down: too many events"))
            return
        }
        if let reason = rejection(of: event) {
            if !relay.eventPolicy.allows(event.kind) { relay.trackRejectedKind(event) }
            answer(event, accepted: false, reason: reason)
            if reason.prefix == .authRequired { sink.send(.auth(challenge: challenge)) }
            return
        }
        if event.kind.storageClass == .ephemeral {
            relay.broadcast(event)
            answer(event, accepted: true)
            return
        }
        // Queue the write and go on reading: the OK goes out from the commit's completion, so a
        // client with many events in flight fills the writer's batches (group commit).
        let relay = self.relay
        await inFlight.acquire()
        relay.store.save([event]) { [self] result in
            defer { inFlight.release() }
            switch result {
            case .success(let saved):
                switch saved[0].outcome {
                case .stored, .replaced:
                    answer(event, accepted: true)
                    relay.broadcastLater(event, sequence: saved[0].sequence ?? .max)
                case .duplicate:
                    answer(event, accepted: true, reason: .duplicate("already have this event"))
                case .rejectedOlder:
                    answer(event, accepted: true, reason: .duplicate("a newer version is stored"))
                case .deleted:
                    answer(event, accepted: false, reason: .blocked("deleted by its author"))
                case .expired:
                    answer(event, accepted: false, reason: .invalid("the event has expired"))
                case .ephemeral:
                    answer(event, accepted: true)
                }
            case .failure(StoreError.overloaded):
                answer(event, accepted: false, reason: .error("the relay is busy, try again"))
            case .failure(let error):
                relay.logger.error("saving \(event.id) failed: \(error)")
                answer(event, accepted: false, reason: .error("could not store the event"))
            }
        }
    }

    /// Sends the OK for `event` and counts it.
    private func answer(_ event: Event, accepted: Bool, reason: Reason? = nil) {
        sink.send(.ok(eventID: event.id, accepted: accepted, reason: reason))
        relay.eventCounters.count(event.kind, EventOutcome(accepted: accepted, reason: reason))
        if !accepted, let reason { relay.metrics.rejected(reason) }
    }

    /// Why `event` is refused before storage, if it is.
    private func rejection(of event: Event) -> Reason? {
        do {
            try event.validate(keyCache: relay.keyCache)
        } catch {
            return error.reason
        }
        if let reason = relay.eventPolicy.rejection(of: event, now: relay.now) { return reason }
        if event.isProtected && !authenticated.contains(event.pubkey) {
            return authenticated.isEmpty
                ? .authRequired("this event may only be published by its author (NIP-70)")
                : .restricted("this event may only be published by its author (NIP-70)")
        }
        return nil
    }

    // MARK: REQ, CLOSE, COUNT

    /// Why a REQ, COUNT or NEG-OPEN is refused before running, if it is: the request rate, or the
    /// daily budget of events served (authenticated users with enough trusted followers are exempt).
    func readRefusal() -> Reason? {
        guard relay.reqBuckets.take(client, now: relay.preciseNow) else {
            return .rateLimited("slow down: too many requests")
        }
        guard !relay.servedBudget.allows(client, now: relay.now) else { return nil }
        let exempt = authenticated.contains {
            relay.trustedFollowers.trustedFollowerCount(of: $0.hex) >= limits.minTrustedFollowers
        }
        if exempt { return nil }
        return authenticated.isEmpty
            ? .authRequired(
                "daily limit of \(limits.eventsPerDayLimit) events served reached; authenticate to continue")
            : .rateLimited("daily limit of \(limits.eventsPerDayLimit) events served reached")
    }

    private func subscribe(_ id: String, _ filters: [Filter]) {
        if let reason = subscriptionRefusal(id, filters) {
            // A refused REQ also ends any subscription that had its id: the client reads CLOSED for it.
            close(id)
            sink.send(.closed(subscriptionID: id, reason: reason))
            if reason.prefix == .authRequired { sink.send(.auth(challenge: challenge)) }
            return
        }
        subscriptionIDs.insert(id)
        relay.trackRequest(from: client, filters)
        let key = SubscriptionRegistry.Key(connection: sink.id, subscription: id)
        // Live first, so nothing published during the query is missed, but holding: live events
        // wait until EOSE, and those the query's snapshot already saw are dropped (strfry's rule).
        relay.subscriptions.add(key, filters: filters, sink: sink, loading: true)
        let stored = filters.map { filter -> Filter in
            var bounded = filter
            bounded.limit = min(filter.limit ?? limits.defaultLimit, limits.maxLimit)
            return bounded
        }
        var served = 0
        let started = ContinuousClock.now
        defer {
            relay.servedBudget.record(client, count: served, now: relay.now)
            relay.trackServed(to: client, events: served)
            relay.metrics.queryLatency.record(ContinuousClock.now - started)
        }
        // The snapshot's sequence even when no stored event is asked for (limit 0): an event committed
        // before this REQ but broadcast after it (broadcasts run after the commit) is not new.
        var snapshot: UInt64 = 0
        var prefix = Array(#"["EVENT","#.utf8)
        JSONWriter.appendString(id, to: &prefix)
        prefix.append(UInt8(ascii: ","))
        do {
            do {
                snapshot = try relay.store.query(stored.filter { $0.limit ?? 0 > 0 }) { storedEvent in
                    served += 1
                    // Straight from the store's memory map into the buffer the socket is written from.
                    var message = ByteBuffer()
                    message.reserveCapacity(storedEvent.json.count + prefix.count + 1)
                    message.writeBytes(prefix)
                    message.writeBytes(storedEvent.json)
                    message.writeInteger(UInt8(ascii: "]"))
                    if !sink.send(buffer: message) { throw SlowConsumer() }
                }
            }
            sink.send(.endOfStoredEvents(subscriptionID: id))
            guard let late = relay.subscriptions.finishLoading(key, snapshot: snapshot) else {
                close(id)
                sink.send(.closed(subscriptionID: id, reason: .error("too many new events while sending stored ones")))
                return
            }
            for message in late where !sink.send(bytes: message) {
                throw SlowConsumer()
            }
        } catch is SlowConsumer {
            relay.subscriptions.removeAll(connection: sink.id)
        } catch {
            relay.logger.error("query for \(id) failed: \(error)")
            relay.subscriptions.remove(key)
            subscriptionIDs.remove(id)
            sink.send(.closed(subscriptionID: id, reason: .error("the query failed")))
        }
    }

    private func subscriptionRefusal(_ id: String, _ filters: [Filter]) -> Reason? {
        if let reason = readRefusal() { return reason }
        if filters.count > limits.maxFilters {
            return .invalid("too many filters: \(filters.count) (max \(limits.maxFilters))")
        }
        if !subscriptionIDs.contains(id) && subscriptionIDs.count >= limits.maxSubscriptions {
            return .blocked("too many subscriptions (max \(limits.maxSubscriptions))")
        }
        return nil
    }

    private struct SlowConsumer: Error {}

    private func close(_ id: String) {
        subscriptionIDs.remove(id)
        relay.subscriptions.remove(SubscriptionRegistry.Key(connection: sink.id, subscription: id))
    }

    private func count(_ id: String, _ filters: [Filter]) {
        if let reason = readRefusal() {
            sink.send(.closed(subscriptionID: id, reason: reason))
            return
        }
        guard filters.count <= limits.maxFilters else {
            sink.send(
                .closed(
                    subscriptionID: id,
                    reason: .invalid("too many filters: \(filters.count) (max \(limits.maxFilters))")))
            return
        }
        relay.trackRequest(from: client, filters)
        do {
            let result = try relay.store.count(filters)
            sink.send(.count(subscriptionID: id, count: result.count, approximate: result.approximate))
        } catch {
            sink.send(.closed(subscriptionID: id, reason: .error("the count failed")))
        }
    }

    // MARK: AUTH

    private func authenticate(_ event: Event) {
        do {
            let pubkey = try RelayAuthentication.validate(
                event, challenge: challenge, relayURL: "ws://" + host, now: relay.now, timeWindow: 600,
                matchingHostOnly: true)
            authenticated.insert(pubkey)
            sink.send(.ok(eventID: event.id, accepted: true, reason: nil))
        } catch {
            sink.send(.ok(eventID: event.id, accepted: false, reason: error.reason))
        }
    }
}
