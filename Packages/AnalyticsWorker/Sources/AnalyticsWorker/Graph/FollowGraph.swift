import GraphAlgos
import NostrCore

/// The follow graph one analytics pass works on: an edge `a -> b` for every pubkey `b` that the
/// newest kind 3 of author `a` lists in a `p` tag, plus, per pubkey, how many newest kind 10000
/// lists mute it.
///
/// Node indices `0..<graph.nodeCount` are the follow graph's pubkeys (authors and the pubkeys
/// they follow); pubkeys seen only in mute lists come after them, in `pubkeys` and `mutedBy` but
/// not in `graph`.
public struct FollowGraph: Sendable {
    /// Every pubkey, by node index.
    public internal(set) var pubkeys: NodeInterner<Bytes32>
    /// Follows, deduplicated, self-follows dropped.
    public internal(set) var graph: DirectedGraph
    /// Whether each follow-graph node has a kind 3 in the store.
    public internal(set) var isAuthor: [Bool]
    /// For each pubkey (all of `pubkeys`), how many mute lists name it.
    public internal(set) var mutedBy: [UInt32]
    /// What loading saw, for logs.
    public internal(set) var statistics: Statistics

    /// Counts from loading the graph.
    public struct Statistics: Sendable, Equatable {
        /// Kind 3 events read (one per author).
        public var followLists = 0
        /// Kind 10000 events read.
        public var muteLists = 0
        /// `p` values that were not 64 lowercase hex characters, ignored.
        public var invalidTags = 0
        /// Older versions of a list whose newer version was already read (the store keeps one).
        public var supersededLists = 0
        /// Events that did not parse, skipped.
        public var unreadableEvents = 0
        /// Mutes counted (distinct per list).
        public var mutes = 0

        /// No counts yet.
        public init() {}
    }

    /// Number of follow-graph nodes.
    public var nodeCount: Int { graph.nodeCount }

    /// Lowercase hex of the pubkey at `node`.
    public func hex(_ node: UInt32) -> String { pubkeys[node].hex }

    /// The node of `hex`, if the pubkey is in the graph or a mute list.
    public func node(hex: String) -> UInt32? { Bytes32(hex: hex).flatMap { pubkeys.index(of: $0) } }

    /// Followers of `node` (0 for pubkeys outside the follow graph).
    public func followers(_ node: UInt32) -> Int { Int(node) < graph.nodeCount ? graph.inDegree(of: node) : 0 }

    /// Pubkeys `node` follows (0 for pubkeys outside the follow graph).
    public func following(_ node: UInt32) -> Int { Int(node) < graph.nodeCount ? graph.outDegree(of: node) : 0 }
}
