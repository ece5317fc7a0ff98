import GraphAlgos
import LMDBStore
import NostrCore

/// Builds the `FollowGraph` from the event store: the newest kind 3 of every author, then the
/// newest kind 10000 of every author for mute counts. Reads run in read-only transactions that
/// never block the relay's writer.
public struct FollowGraphLoader {
    /// How often (in events) to ask `shouldStop` whether to give up.
    static let stopCheckInterval = 10_000

    private let store: EventStore

    /// A loader reading `store` (normally opened read-only).
    public init(store: EventStore) {
        self.store = store
    }

    /// Loads the graph; returns nil if `shouldStop` said so midway.
    public func load(shouldStop: () -> Bool = { false }) throws -> FollowGraph? {
        var statistics = FollowGraph.Statistics()
        var pubkeys = NodeInterner<Bytes32>(capacity: 1 << 16)
        var edges = EdgeList()
        var authorNodes: [UInt32] = []
        var seenAuthors = Set<UInt32>()
        var stopped = false
        var targets: [Bytes32] = []
        try store.scan(kind: .followList, newestFirst: true) { stored in
            if statistics.followLists % Self.stopCheckInterval == 0, shouldStop() {
                stopped = true
                return false
            }
            guard let event = try? Event(json: UnsafeRawBufferPointer(stored.json)) else {
                statistics.unreadableEvents += 1
                return true
            }
            let author = pubkeys.intern(event.pubkey.raw)
            // Newest first, so a second list by the same author is an older version.
            guard seenAuthors.insert(author).inserted else {
                statistics.supersededLists += 1
                return true
            }
            statistics.followLists += 1
            authorNodes.append(author)
            Self.publicKeyTags(of: event, into: &targets, invalid: &statistics.invalidTags)
            for target in targets {
                let node = pubkeys.intern(target)
                if node != author { edges.append(from: author, to: node) }
            }
            return true
        }
        if stopped { return nil }
        let nodeCount = pubkeys.count
        var isAuthor = [Bool](repeating: false, count: nodeCount)
        for node in authorNodes { isAuthor[Int(node)] = true }
        authorNodes = []
        seenAuthors = []
        let graph = DirectedGraph(nodeCount: nodeCount, edges: edges)

        var mutedBy = [UInt32](repeating: 0, count: nodeCount)
        var muters = Set<Bytes32>()
        try store.scan(kind: .muteList, newestFirst: true) { stored in
            if statistics.muteLists % Self.stopCheckInterval == 0, shouldStop() {
                stopped = true
                return false
            }
            guard let event = try? Event(json: UnsafeRawBufferPointer(stored.json)) else {
                statistics.unreadableEvents += 1
                return true
            }
            guard muters.insert(event.pubkey.raw).inserted else {
                statistics.supersededLists += 1
                return true
            }
            statistics.muteLists += 1
            Self.publicKeyTags(of: event, into: &targets, invalid: &statistics.invalidTags)
            for target in Set(targets) {
                let node = Int(pubkeys.intern(target))
                if node == mutedBy.count { mutedBy.append(0) }
                mutedBy[node] += 1
                statistics.mutes += 1
            }
            return true
        }
        if stopped { return nil }
        return FollowGraph(
            pubkeys: pubkeys, graph: graph, isAuthor: isAuthor, mutedBy: mutedBy, statistics: statistics)
    }

    /// The valid `p` values of `event` (64 lowercase hex), in order; counts the others in `invalid`.
    static func publicKeyTags(of event: Event, into targets: inout [Bytes32], invalid: inout Int) {
        targets.removeAll(keepingCapacity: true)
        for tag in event.tags where tag.count >= 2 && tag.hasSingleLetterName(UInt8(ascii: "p")) {
            if let key = tag.withBytes(at: 1, { Bytes32(hexASCII: $0) }) {
                targets.append(key)
            } else {
                invalid += 1
            }
        }
    }
}
