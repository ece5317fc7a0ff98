import Synchronization

/// The negentropy items every connection's sessions hold together, against the relay-wide cap
/// (`limits.negentropy_max_total_items`): each connection is already held to its own sessions and
/// items, but many connections together must not grow the relay's memory without bound.
final class NegentropyBudget: Sendable {
    /// Items that may be held at once, relay-wide.
    let limit: Int
    private let held = Atomic<Int>(0)

    /// A budget of `limit` items.
    init(limit: Int) { self.limit = limit }

    /// Items held now.
    var inUse: Int { held.load(ordering: .relaxed) }

    /// Whether a new session could start (something is left).
    var hasRoom: Bool { inUse < limit }

    /// Takes `items` if they fit; false (nothing taken) when they do not.
    func reserve(_ items: Int) -> Bool {
        var current = held.load(ordering: .relaxed)
        while current + items <= limit {
            let (exchanged, original) = held.compareExchange(
                expected: current, desired: current + items, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// Gives back what `reserve` took.
    func release(_ items: Int) {
        held.subtract(items, ordering: .relaxed)
    }
}
