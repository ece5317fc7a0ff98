import Synchronization

/// Per-key token buckets (one per client IP), bounded in the number of keys they remember.
///
/// Each key may spend up to `burst` at once and regains `rate` tokens a second. Rates are decided
/// in memory, never with a database round trip.
final class TokenBuckets: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Double
    }

    private let rate: Double
    private let burst: Double
    private let maxKeys: Int
    private let buckets = Mutex<[String: Bucket]>([:])

    /// Buckets refilling `rate` a second up to `burst`; at most `maxKeys` remembered (the fullest,
    /// i.e. idlest, are forgotten first, which is the same as them being full).
    init(rate: Double, burst: Double, maxKeys: Int = 100_000) {
        self.rate = rate
        self.burst = max(burst, 1)
        self.maxKeys = maxKeys
    }

    /// How many keys are remembered.
    var count: Int { buckets.withLock { $0.count } }

    /// Takes `cost` tokens from `key`'s bucket at time `now` (seconds); false when there are not
    /// enough. A rate of 0 or less means unlimited.
    func take(_ key: String, cost: Double = 1, now: Double) -> Bool {
        guard rate > 0 else { return true }
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
            bucket.tokens = min(burst, bucket.tokens + max(0, now - bucket.updated) * rate)
            bucket.updated = now
            let allowed = bucket.tokens >= cost
            if allowed { bucket.tokens -= cost }
            buckets[key] = bucket
            if buckets.count > maxKeys {
                Self.forgetIdlest(&buckets, now: now, rate: rate, burst: burst, keep: maxKeys * 9 / 10)
            }
            return allowed
        }
    }

    /// Shrinks the table to `keep` keys at once (so the cost is paid once per many new keys, not
    /// per key): first the buckets that have refilled completely and so carry no information, then
    /// the longest idle.
    private static func forgetIdlest(
        _ buckets: inout [String: Bucket], now: Double, rate: Double, burst: Double, keep: Int
    ) {
        buckets = buckets.filter { $0.value.tokens + (now - $0.value.updated) * rate < burst }
        guard buckets.count > keep else { return }
        let idlest = buckets.sorted { $0.value.updated < $1.value.updated }.prefix(buckets.count - keep)
        for (key, _) in idlest { buckets.removeValue(forKey: key) }
    }
}
