import NostrCore
import Synchronization

/// One connection's open NIP-77 negentropy sessions, by subscription id.
///
/// Each session is a `NegentropyResponder` over the item list its NEG-OPEN built (one read
/// snapshot of the store: what is saved later never changes it), and the time it was last used.
/// The connection's reader opens, continues and closes sessions; the relay's
/// `NegentropySweeper` closes idle ones from another task, hence the lock. A reconciliation step
/// runs under it, which only ever makes the sweeper wait for one step of this connection.
final class NegentropySessions: Sendable {
    /// What a NEG-MSG came to.
    enum Outcome {
        /// The responder's reply, to be sent as NEG-MSG.
        case reply([UInt8])
        /// No session has this id (never opened, closed, or closed for idleness).
        case unknown
        /// The message was malformed; the session is closed.
        case failed(NegentropyError)
    }

    private struct Session {
        var responder: NegentropyResponder
        var lastUsed: ContinuousClock.Instant
        /// How many items the responder holds (for the gauge of items held).
        let items: Int
    }

    private let sink: ConnectionSink
    private let idleTime: Duration
    private let metrics: RelayMetrics
    private let budget: NegentropyBudget
    private let sessions = Mutex<[String: Session]>([:])

    /// The sessions of the connection writing to `sink`; those untouched for `idleTime` are
    /// closed by `closeIdle(now:)`.
    /// The items of every session were reserved in `budget` by the caller and go back to it when
    /// the session closes.
    init(sink: ConnectionSink, idleTime: Duration, metrics: RelayMetrics, budget: NegentropyBudget) {
        self.sink = sink
        self.idleTime = idleTime
        self.metrics = metrics
        self.budget = budget
    }

    /// The number of open sessions.
    var count: Int { sessions.withLock { $0.count } }

    /// True when no session is open.
    var isEmpty: Bool { sessions.withLock { $0.isEmpty } }

    /// The connection's number (the sink's).
    var connection: UInt64 { sink.id }

    /// Answers the NEG-OPEN's `initialMessage` with `responder` and keeps the session as `id`
    /// (the caller closed any session of that id first). A malformed message keeps nothing.
    func open(
        _ id: String, responder: NegentropyResponder, items: Int, initialMessage: [UInt8],
        now: ContinuousClock.Instant
    ) throws(NegentropyError) -> [UInt8] {
        var responder = responder
        let reply = try responder.reconcile(initialMessage)
        let replaced = sessions.withLock { sessions in
            sessions.updateValue(Session(responder: responder, lastUsed: now, items: items), forKey: id)
        }
        if let replaced { forget(replaced) }
        metrics.negentropySessions.increment()
        metrics.negentropyItems.increment(by: Double(items))
        return reply
    }

    /// Continues session `id` with a NEG-MSG's `message`.
    func reconcile(_ id: String, _ message: [UInt8], now: ContinuousClock.Instant) -> Outcome {
        let (outcome, failed) = sessions.withLock { sessions -> (Outcome, Session?) in
            guard var session = sessions[id] else { return (.unknown, nil) }
            do throws(NegentropyError) {
                let reply = try session.responder.reconcile(message)
                session.lastUsed = now
                sessions[id] = session
                return (.reply(reply), nil)
            } catch {
                // NIP-77: after a NEG-ERR the session is closed.
                sessions[id] = nil
                return (.failed(error), session)
            }
        }
        if let failed { forget(failed) }
        return outcome
    }

    /// Closes session `id`, if open.
    func close(_ id: String) {
        if let removed = sessions.withLock({ $0.removeValue(forKey: id) }) { forget(removed) }
    }

    /// Closes every session untouched for longer than the idle time and tells the client
    /// (`NEG-ERR "closed: ..."`); returns their ids.
    @discardableResult
    func closeIdle(now: ContinuousClock.Instant) -> [String] {
        let idle = sessions.withLock { sessions -> [(String, Session)] in
            let idle = sessions.filter { now - $0.value.lastUsed > idleTime }
            for (id, _) in idle { sessions[id] = nil }
            return Array(idle)
        }
        for (id, session) in idle {
            forget(session)
            sink.send(
                .negentropyError(
                    subscriptionID: id,
                    reason: Reason(.closed, "negentropy session idle for more than \(idleTime.components.seconds) s")))
        }
        return idle.map(\.0)
    }

    /// Closes every session (the connection ended).
    func removeAll() {
        let removed = sessions.withLock { sessions in
            defer { sessions = [:] }
            return Array(sessions.values)
        }
        for session in removed { forget(session) }
    }

    /// Takes a closed session off the gauges and gives its items back to the relay's budget.
    private func forget(_ session: Session) {
        budget.release(session.items)
        metrics.negentropySessions.decrement()
        metrics.negentropyItems.decrement(by: Double(session.items))
    }
}
