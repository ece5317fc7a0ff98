import NostrClient
import NostrCore

/// What the crawler does and how hard it may push; every connection, batch and wait is bounded.
public struct CrawlerOptions: Sendable {
    /// Seed relays (normalised URLs): backfilled fully, then followed live.
    public var seeds: [String] = []
    /// The kinds crawled from seeds and discovered relays.
    public var kinds: [Kind] = []
    /// Visit relays found in kind 10002 lists, not only the seeds.
    public var discoverRelays = true
    /// Keep a live subscription on each seed once its backfill is done.
    public var live = true
    /// Skip URLs whose host is obviously private (loopback, private ranges, `.onion`, `.local`)
    /// when discovering (the client's address policy refuses them anyway, after DNS too).
    public var skipPrivateURLs = true
    /// Outgoing connections at once, live subscriptions included (at least one is always left for
    /// visits).
    public var maxConnections = 8
    /// Negentropy reconciliations at once: each lists the store's items for the crawled kinds
    /// (about 72 bytes per event), so this bounds that memory; other visits page meanwhile or wait.
    public var maxConcurrentReconciliations = 2
    /// How often the running crawler logs a summary (at info).
    public var summaryInterval: Duration = .seconds(600)
    /// One visit's time at most.
    public var visitTime: Duration = .seconds(120)
    /// Events one visit of a discovered relay stores at most (seeds are not capped).
    public var visitEvents = 50_000
    /// Events per REQ page.
    public var pageSize = 500
    /// Events one second may hold that a REQ is asked for at once, when a page is all one second.
    public var crowdedSecondLimit = 5000
    /// Events per batch into the store.
    public var ingestBatch = 1000
    /// The crawler's batches in the store's queue at once, at most.
    public var ingestQueueBatches = 2
    /// The first wait before reconnecting a live subscription (doubling up to 64 times this).
    public var reconnectDelay: Duration = .seconds(5)
    /// How often the store is read for new kind 10002 lists.
    public var discoveryInterval: Duration = .seconds(30)
    /// How often the relays' listed-by counts are recounted from every kind 10002.
    public var recountInterval: Duration = .seconds(600)
    /// How long the remote may be silent while an answer is due.
    public var responseTimeout: Duration = .seconds(30)
    /// How long to wait for a first negentropy answer before paging instead.
    public var negentropyTimeout: Duration = .seconds(10)
    /// Live subscriptions ask again from this long before the newest event they saw (clock skew
    /// between relays, events published late).
    public var liveOverlap: Duration = .seconds(600)
    /// The connection settings of every client (the address policy, the event check, sizes).
    public var client = RelayClientConfiguration()
    /// Outbox sync of the pubkeys that matter.
    public var outbox = OutboxOptions()

    /// The defaults.
    public init() {}
}

/// Outbox sync: the kinds of trusted and popular pubkeys, from their own NIP-65 write relays.
public struct OutboxOptions: Sendable {
    /// Whether outbox passes run at all.
    public var enabled = false
    /// Time between two passes.
    public var interval: Duration = .seconds(1800)
    /// The kinds fetched.
    public var kinds: [Kind] = [0, 3, 10002]
    /// Authors per REQ on one relay.
    public var authorsPerRequest = 50
    /// Pubkeys one pass fetches for at most.
    public var maxPubkeys = 10_000
    /// One relay's share of a pass at most.
    public var relayTime: Duration = .seconds(30)
    /// Write relays asked per pubkey at most (its first ones).
    public var relaysPerPubkey = 4
    /// The first wait before asking again for a pubkey whose relays had nothing (doubling per miss).
    public var retryAfter: Duration = .seconds(86_400)
    /// The most a retry wait doubles to, as a multiple of `retryAfter`.
    public var maxRetryMultiple = 32

    /// The defaults.
    public init() {}
}
