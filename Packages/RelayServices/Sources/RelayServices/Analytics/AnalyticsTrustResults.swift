import NostrCore
import PGAnalytics
import RelayServer
import Synchronization

/// The analytics worker's trust results as the relay holds them: the trusted set and, for pubkeys
/// with at least `limits.min_trusted_followers` trusted followers, that count. Reloaded
/// periodically by `AnalyticsMaintenance` (`TrustResultsQuery`), each load bounded by
/// `maxPubkeys` rows; until the first load, nobody is trusted.
public final class AnalyticsTrustResults: TrustedFollowerProvider {
    private struct Snapshot {
        var trusted: Set<Bytes32> = []
        var trustedFollowers: [Bytes32: Int] = [:]
        /// The trusted pubkeys, most trusted followers first (for the crawler's outbox sync).
        var trustedInOrder: [String] = []
        /// The most-followed pubkeys, most first (when popular pubkeys are asked for).
        var popular: [String] = []
    }

    private let minimumFollowers: Int
    private let maxPubkeys: Int
    /// Followers a pubkey needs to count as popular (`profile_hydration.min_followers`); nil: none are read.
    private let popularMinimum: Int?
    private let snapshot = Mutex(Snapshot())

    /// Holds counts of at least `minimumFollowers`, and at most `maxPubkeys` pubkeys of each kind;
    /// with `popularMinimum`, also the pubkeys with at least that many followers (for outbox sync).
    public init(minimumFollowers: Int, maxPubkeys: Int, popularMinimum: Int? = nil) {
        self.minimumFollowers = minimumFollowers
        self.maxPubkeys = maxPubkeys
        self.popularMinimum = popularMinimum
    }

    /// The pubkeys whose outboxes the crawler fetches: the trusted ones (most trusted followers
    /// first), then the popular ones, at most `limit`.
    public func crawlTargets(limit: Int, trusted: Bool) -> [String] {
        snapshot.withLock { snapshot in
            var seen = Set<String>()
            var targets: [String] = []
            for pubkey in (trusted ? snapshot.trustedInOrder : []) + snapshot.popular where targets.count < limit {
                if seen.insert(pubkey).inserted { targets.append(pubkey) }
            }
            return targets
        }
    }

    public func trustedFollowerCount(of pubkey: PublicKeyHex) -> Int {
        guard let key = Bytes32(hex: pubkey) else { return 0 }
        return snapshot.withLock { $0.trustedFollowers[key] ?? 0 }
    }

    public func isTrusted(_ pubkey: PublicKeyHex) -> Bool {
        guard let key = Bytes32(hex: pubkey) else { return false }
        return snapshot.withLock { $0.trusted.contains(key) }
    }

    /// How many trusted pubkeys, and pubkeys with a count, are held.
    public var counts: (trusted: Int, withFollowerCount: Int) {
        snapshot.withLock { ($0.trusted.count, $0.trustedFollowers.count) }
    }

    /// Replaces what is held with the worker's latest results (read in one snapshot).
    @discardableResult
    public func reload(from connection: PostgresConnection) throws -> (trusted: Int, withFollowerCount: Int) {
        var next = Snapshot()
        try TrustResultsQuery.read(
            from: connection, minimumTrustedFollowers: minimumFollowers, limit: maxPubkeys,
            trusted: { pubkey in
                if let key = Bytes32(hex: pubkey), next.trusted.insert(key).inserted {
                    next.trustedInOrder.append(pubkey)
                }
            },
            followers: { pubkey, count in
                if let key = Bytes32(hex: pubkey) { next.trustedFollowers[key] = count }
            })
        if let popularMinimum {
            next.popular = try PopularPubkeysQuery.read(
                from: connection, minimumFollowers: popularMinimum, limit: maxPubkeys)
        }
        let loaded = (next.trusted.count, next.trustedFollowers.count)
        snapshot.withLock { $0 = next }
        return loaded
    }
}
