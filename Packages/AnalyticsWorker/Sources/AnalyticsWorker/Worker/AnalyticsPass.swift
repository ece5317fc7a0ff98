import Foundation
import GraphAlgos
import PurplePagesConfiguration

/// One analytics pass in progress: the follow graph, when the pass began, and what earlier jobs
/// computed that later ones need.
public struct AnalyticsPass: Sendable {
    /// The graph every job works on.
    public let graph: FollowGraph
    /// The pass's time, written as `computed_at` / `detected_at`.
    public let startedAt: Date
    /// Job parameters.
    public let configuration: AnalyticsWorkerConfiguration
    /// The relay's own pubkey (`relay.pubkey`), a default trust seed; empty if unset.
    public let relayPubkey: String
    /// PageRank over the follow graph (the trust job).
    public internal(set) var pageRank: PageRankResult?
    /// The trusted set (the trust job).
    public internal(set) var trust: TrustResult?
    /// Bot clusters found (the bot-cluster job), in `cluster_id` order starting at 1.
    public internal(set) var botClusters: [BotCluster] = []

    /// A pass over `graph`.
    public init(
        graph: FollowGraph, configuration: AnalyticsWorkerConfiguration, relayPubkey: String = "",
        startedAt: Date = Date()
    ) {
        self.graph = graph
        self.configuration = configuration
        self.relayPubkey = relayPubkey
        self.startedAt = startedAt
    }

    /// Whether `node` is trusted (false before the trust job ran).
    public func isTrusted(_ node: UInt32) -> Bool { trust?.isTrusted(node) ?? false }
}

/// A strongly connected component dense enough and closed enough to look like a bot ring.
public struct BotCluster: Sendable, Equatable {
    /// 1, 2, ... by decreasing size, ties by smallest member pubkey.
    public var id: Int
    /// Member nodes, ascending by pubkey.
    public var members: [UInt32]
    /// Its edge counts and ratios.
    public var metrics: ClusterMetrics
}
