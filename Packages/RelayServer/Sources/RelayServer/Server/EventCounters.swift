import NostrCore
import Prometheus
import PurplePagesConfiguration

/// How an EVENT was answered: the `outcome` label of `purplepages_events_received_total`.
enum EventOutcome: Int, CaseIterable, Sendable {
    /// `OK true`: stored, replaced, or (ephemeral) sent on.
    case accepted
    /// `OK true "duplicate: ..."`: already stored, or older than the version stored.
    case duplicate
    /// `OK false`, the client's doing: invalid, blocked, rate-limited, auth-required, ...
    case rejected
    /// `OK false "error: ..."`: the relay's doing (the writer's queue full, a failed write).
    case error

    var label: String {
        switch self {
        case .accepted: "accepted"
        case .duplicate: "duplicate"
        case .rejected: "rejected"
        case .error: "error"
        }
    }

    /// The outcome of an `OK` with `accepted` and `reason`.
    init(accepted: Bool, reason: Reason?) {
        switch (accepted, reason?.prefix) {
        case (true, .duplicate): self = .duplicate
        case (true, _): self = .accepted
        case (false, .error): self = .error
        case (false, _): self = .rejected
        }
    }
}

/// `purplepages_events_received_total{kind, outcome}`: EVENTs answered, by kind and outcome.
///
/// The `kind` label is bounded by the configuration, whatever kinds clients send: a kind in
/// `allowed_kinds` (or 5) is labelled with itself when its range of the set is small (at most
/// `smallRange` kinds), else with that range (`"10000-19999"`); any other kind is `"other"`. Every
/// counter is registered up front and found by a binary search over the ranges, so counting an
/// event allocates nothing.
struct EventCounters: Sendable {
    /// Ranges of at most this many kinds are labelled kind by kind.
    static let smallRange = 16
    private static let outcomes = EventOutcome.allCases.count

    /// Disjoint, sorted: label `i` is `ranges[i]`, label `ranges.count` is `"other"`.
    private let ranges: [ClosedRange<UInt16>]
    /// Indexed by `label * EventOutcome.allCases.count + outcome.rawValue`.
    private let counters: [Counter]

    init(registry: PrometheusCollectorRegistry, storedKinds: KindSet?) {
        var ranges: [ClosedRange<UInt16>] = []
        for range in (storedKinds ?? .all).ranges {
            if range.count <= Self.smallRange {
                ranges += range.map { $0...$0 }
            } else {
                ranges.append(range)
            }
        }
        self.ranges = ranges
        let labels =
            ranges.map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }
            + ["other"]
        let descriptor = RelayMetrics.name("events_received", "total", "EVENTs answered, by kind and outcome")
        var counters: [Counter] = []
        for kind in labels {
            for outcome in EventOutcome.allCases {
                counters.append(
                    registry.makeCounter(descriptor: descriptor, labels: [("kind", kind), ("outcome", outcome.label)]))
            }
        }
        self.counters = counters
    }

    /// Counts one EVENT of `kind` answered with `outcome`.
    func count(_ kind: Kind, _ outcome: EventOutcome) {
        counters[label(of: kind) * Self.outcomes + outcome.rawValue].increment()
    }

    /// The index of the range holding `kind`, or `ranges.count` ("other").
    private func label(of kind: Kind) -> Int {
        var low = 0
        var high = ranges.count
        // The first range whose upper bound is at least `kind`.
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle].upperBound < kind.rawValue { low = middle + 1 } else { high = middle }
        }
        return low < ranges.count && ranges[low].contains(kind.rawValue) ? low : ranges.count
    }
}
