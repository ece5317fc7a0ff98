import GraphAlgos
import LMDBStore
import NostrCore

/// Builds the `FollowGraph` from the event store: the newest kind 3 of every author, then the
/// newest kind 10000 of every author for mute counts. Reads run in read-only transactions that
/// never block the relay's writer; events are parsed in parallel batches (`ListParsing`) and
/// interned in store order, so the node numbering is the same on every run over the same store.
public struct FollowGraphLoader {
    private let store: EventStore

    /// A loader reading `store` (normally opened read-only).
    public init(store: EventStore) {
        self.store = store
    }

    /// Loads the graph; returns nil if `shouldStop` said so midway (asked once per batch).
    public func load(shouldStop: () -> Bool = { false }) throws -> FollowGraph? {
        var statistics = FollowGraph.Statistics()
        var pubkeys = NodeInterner<Bytes32>(capacity: 1 << 16)
        var edges = EdgeList()
        var authorNodes: [UInt32] = []
        var seenAuthors = Set<UInt32>()
        let followListsRead = try scanLists(kind: .followList, shouldStop: shouldStop) { list in
            guard let authorKey = list.author else {
                statistics.unreadableEvents += 1
                return
            }
            let author = pubkeys.intern(authorKey)
            // Newest first, so a second list by the same author is an older version.
            guard seenAuthors.insert(author).inserted else {
                statistics.supersededLists += 1
                return
            }
            statistics.followLists += 1
            statistics.invalidTags += list.invalid
            authorNodes.append(author)
            for target in list.targets {
                let node = pubkeys.intern(target)
                if node != author { edges.append(from: author, to: node) }
            }
        }
        guard followListsRead else { return nil }
        let nodeCount = pubkeys.count
        var isAuthor = [Bool](repeating: false, count: nodeCount)
        for node in authorNodes { isAuthor[Int(node)] = true }
        authorNodes = []
        seenAuthors = []
        let graph = DirectedGraph(nodeCount: nodeCount, edges: edges)

        var mutedBy = [UInt32](repeating: 0, count: nodeCount)
        var muters = Set<Bytes32>()
        let muteListsRead = try scanLists(kind: .muteList, shouldStop: shouldStop) { list in
            guard let author = list.author else {
                statistics.unreadableEvents += 1
                return
            }
            guard muters.insert(author).inserted else {
                statistics.supersededLists += 1
                return
            }
            statistics.muteLists += 1
            statistics.invalidTags += list.invalid
            for target in Set(list.targets) {
                let node = Int(pubkeys.intern(target))
                if node == mutedBy.count { mutedBy.append(0) }
                mutedBy[node] += 1
                statistics.mutes += 1
            }
        }
        guard muteListsRead else { return nil }
        return FollowGraph(
            pubkeys: pubkeys, graph: graph, isAuthor: isAuthor, mutedBy: mutedBy, statistics: statistics)
    }

    /// Hands every stored event of `kind`, newest first, parsed, to `body`; false if stopped.
    private func scanLists(
        kind: Kind, shouldStop: () -> Bool, _ body: (ParsedList) -> Void
    ) throws -> Bool {
        var stopped = false
        try store.scanBatches(kind: kind, newestFirst: true, batchSize: ListParsing.batchSize) { batch in
            for list in ListParsing.parse(batch.map(\.json)) { body(list) }
            stopped = shouldStop()
            return !stopped
        }
        return !stopped
    }
}
