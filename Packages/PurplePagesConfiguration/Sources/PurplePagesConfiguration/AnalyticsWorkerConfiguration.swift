import NostrCore

/// The analytics worker's part of `analytics.*`: its schedule and the parameters of its jobs.
public struct AnalyticsWorkerConfiguration: Sendable {
    /// `analytics.interval_minutes`: minutes between the start of two full passes.
    public var intervalMinutes = 60
    /// `analytics.trust_seeds`: pubkeys (hex or npub) trusted by fiat. Empty: the relay's own pubkey
    /// plus the `trust_seed_top_pagerank` pubkeys of highest PageRank.
    public var trustSeeds: [String] = []
    /// `analytics.trust_seed_top_pagerank`: how many top-PageRank pubkeys seed trust when
    /// `trust_seeds` is empty.
    public var trustSeedTopPageRank = 20
    /// `analytics.trust_threshold`: a pubkey becomes trusted once this many trusted pubkeys follow it.
    public var trustThreshold = 3
    /// `analytics.bot_clusters.*`: which strongly connected components count as bot clusters.
    public var botClusterMinSize = 5
    public var botClusterMinDensity = 0.7
    public var botClusterMaxExternalRatio = 0.2
    /// `analytics.communities.max_count`: communities kept (largest first).
    public var communitiesMaxCount = 50
    /// `analytics.communities.min_size`: smaller communities are not kept.
    public var communitiesMinSize = 10
    /// `analytics.communities.seed`: Louvain's visiting-order seed (same store + seed, same result).
    public var communitiesSeed = 0
    /// `analytics.reload_minutes`: how often the relay reloads the trusted set and trusted-follower
    /// counts the worker wrote.
    public var reloadMinutes = 5
    /// `analytics.reload_max_pubkeys`: at most this many trusted pubkeys (and as many trusted-follower
    /// counts) held by the relay.
    public var reloadMaxPubkeys = 1_000_000
    /// `analytics.nice`: the worker's CPU niceness (0-19), so a full pass yields to the relay.
    public var nice = 19

    /// The defaults.
    public init() {}

    mutating func read(_ reader: inout ConfigurationReader) throws(ConfigurationError) {
        if let value = try reader.integer("analytics.interval_minutes", in: 1...10_080) { intervalMinutes = value }
        if let value = try reader.strings("analytics.trust_seeds") {
            trustSeeds = try value.enumerated().map { (index, text) throws(ConfigurationError) in
                guard let hex = Self.publicKeyHex(text) else {
                    throw reader.error("analytics.trust_seeds[\(index)]", "not a hex pubkey or npub: \"\(text)\"")
                }
                return hex
            }
        }
        if let value = try reader.integer("analytics.trust_seed_top_pagerank", in: 0...1_000_000) {
            trustSeedTopPageRank = value
        }
        if let value = try reader.integer("analytics.trust_threshold", in: 1...1_000_000) { trustThreshold = value }
        if let value = try reader.integer("analytics.bot_clusters.min_size", in: 2...1_000_000) {
            botClusterMinSize = value
        }
        if let value = try reader.fraction("analytics.bot_clusters.min_density") { botClusterMinDensity = value }
        if let value = try reader.rate("analytics.bot_clusters.max_external_ratio") {
            botClusterMaxExternalRatio = value
        }
        if let value = try reader.integer("analytics.communities.max_count", in: 0...10_000) {
            communitiesMaxCount = value
        }
        if let value = try reader.integer("analytics.communities.min_size", in: 1...1_000_000) {
            communitiesMinSize = value
        }
        if let value = try reader.integer("analytics.communities.seed") { communitiesSeed = value }
        if let value = try reader.integer("analytics.reload_minutes", in: 1...1_440) { reloadMinutes = value }
        if let value = try reader.integer("analytics.reload_max_pubkeys", in: 0...100_000_000) {
            reloadMaxPubkeys = value
        }
        if let value = try reader.integer("analytics.nice", in: 0...19) { nice = value }
    }

    /// Lowercase hex of a pubkey written as hex (any case) or as an npub; nil otherwise.
    static func publicKeyHex(_ text: String) -> String? {
        if let key = PublicKey(hex: text.lowercased()) { return key.hex }
        if case .npub(let key)? = try? NIP19.decode(text) { return key.hex }
        return nil
    }
}
