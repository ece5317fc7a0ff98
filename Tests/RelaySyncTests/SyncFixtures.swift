import LMDBStore
import LMDBStoreTesting
import NostrClient
import NostrCore
import PurplePagesTestSupport
import RelaySync

/// Events and helpers the sync tests share.
enum SyncFixtures {
    /// A second most fixture events are near (ten share each second).
    static let base: Int64 = 1_700_000_000

    /// `count` distinct addressable lists (kind 30000) by `key`, `perSecond` to a second, from `first`.
    static func lists(_ key: KeyPair, _ range: Range<Int>, perSecond: Int = 10) -> [Event] {
        range.map { index in
            key.event(
                30000, tags: [["d", "list-\(index)"]], content: "list \(index)", at: base + Int64(index / perSecond))
        }
    }

    /// The ids a store holds for `filter`.
    static func ids(_ store: EventStore, _ filter: Filter = Filter()) throws -> Set<EventID> {
        Set(try store.negentropyItems(filter).map(\.id))
    }

    /// Syncs `local` with the relay on `port` and returns the summary.
    static func sync(
        _ local: EventStore, port: Int, client: RelayClientConfiguration = RelayClientConfiguration(),
        _ configure: (inout SyncOptions) -> Void = { _ in }
    ) async throws -> SyncSummary {
        var options = SyncOptions(filter: Filter())
        configure(&options)
        let connection = try await RelayClient.connect(to: "ws://127.0.0.1:\(port)", configuration: client)
        let summary = await StoreSynchronizer(store: local, options: options).run(with: connection)
        await connection.close()
        return summary
    }

    /// `event` with the signature of `other`: the id is right, the signature is not.
    static func forged(_ event: Event, signatureOf other: Event) -> Event {
        Event(
            id: event.id, pubkey: event.pubkey, createdAt: event.createdAt, kind: event.kind, tags: event.tags,
            content: event.content, sig: other.sig)
    }
}
