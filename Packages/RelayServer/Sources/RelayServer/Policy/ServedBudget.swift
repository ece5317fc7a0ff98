import Synchronization

/// Events served per client IP over the last 24 hours, in hourly slots, for
/// `limits.events_per_day_limit`. Bounded in the number of IPs remembered.
final class ServedBudget: Sendable {
    private struct Slots {
        /// Events served in each of the last 24 hours, indexed by hour % 24.
        var counts = [Int](repeating: 0, count: 24)
        /// The hour each slot belongs to.
        var hours = [Int64](repeating: -1, count: 24)
        var lastHour: Int64 = 0

        func total(at hour: Int64) -> Int {
            var sum = 0
            for slot in 0..<24 where hours[slot] > hour - 24 { sum += counts[slot] }
            return sum
        }
    }

    private let limit: Int
    private let maxKeys: Int
    private let slots = Mutex<[String: Slots]>([:])

    /// A budget of `limit` events per 24 h (0 or less: unlimited), remembering at most `maxKeys` IPs.
    init(limit: Int, maxKeys: Int = 100_000) {
        self.limit = limit
        self.maxKeys = maxKeys
    }

    /// How many IPs are remembered.
    var count: Int { slots.withLock { $0.count } }

    /// Whether `key` still has budget at `now` (Unix seconds).
    func allows(_ key: String, now: Int64) -> Bool {
        guard limit > 0 else { return true }
        return slots.withLock { $0[key]?.total(at: now / 3600) ?? 0 } < limit
    }

    /// Records `count` events served to `key` at `now`.
    func record(_ key: String, count: Int, now: Int64) {
        guard limit > 0, count > 0 else { return }
        let hour = now / 3600
        slots.withLock { slots in
            var entry = slots[key] ?? Slots()
            let slot = Int(hour % 24)
            if entry.hours[slot] != hour {
                entry.hours[slot] = hour
                entry.counts[slot] = 0
            }
            entry.counts[slot] += count
            entry.lastHour = hour
            slots[key] = entry
            if slots.count > maxKeys {
                // Shrink to 90% at once, so the scan is paid once per many new IPs: first IPs with
                // nothing left in the window, then the longest idle.
                let keep = maxKeys * 9 / 10
                slots = slots.filter { $0.value.lastHour > hour - 24 }
                if slots.count > keep {
                    let idle = slots.sorted { $0.value.lastHour < $1.value.lastHour }.prefix(slots.count - keep)
                    for (key, _) in idle { slots.removeValue(forKey: key) }
                }
            }
        }
    }
}
