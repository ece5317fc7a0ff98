import Foundation

/// The network crawler's settings: `sync_kinds`, `sync.*`, `trusted_sync.*` and
/// `profile_hydration.*`, with the Go original's keys honoured or mapped (Docs/CONFIG.md says how).
/// `sync.enabled` is the one switch for every outgoing connection: off (the default), the relay
/// never contacts another relay.
public struct SyncConfiguration: Sendable {
    /// `sync.enabled`: crawl at all (seed backfill and live subscriptions, discovered relays, outbox).
    public var enabled = false
    /// `sync.relays`: seed relays, backfilled fully and then followed live.
    public var relays: [String] = []
    /// `sync_kinds` (top level): the kinds synced unless a section names its own.
    public var syncKinds: [Int] = [
        0, 3, 10000, 10001, 10002, 10003, 10004, 10005, 10006, 10007, 10009, 10015, 10030, 10050,
    ]
    /// `sync.kinds`: the seeds' and discovered relays' kinds (empty: `sync_kinds`).
    public var kinds: [Int] = []
    /// `sync.discover_relays`: visit the relays found in kind 10002 lists, not only the seeds.
    public var discoverRelays = true
    /// `sync.live`: keep a subscription open on every seed relay after its backfill.
    public var live = true
    /// `sync.allow_private_addresses`: connect to loopback, private, link-local... addresses and
    /// `.onion`/`.local` names too (tests and private networks only).
    public var allowPrivateAddresses = false
    /// `sync.max_connections`: outgoing connections at once, live subscriptions included.
    public var maxConnections = 8
    /// `sync.max_relays`: relays the directory holds; the oldest unreachable are dropped first.
    public var maxRelays = 100_000
    /// `sync.state_path`: the crawler's own LMDB directory (relay directory, cursors); empty puts
    /// it beside the event store, as `crawler.lmdb` in the store's parent directory.
    public var statePath = ""
    /// `sync.visit_seconds`: one visit of a relay takes at most this long.
    public var visitSeconds = 120
    /// `sync.visit_events`: one visit of a discovered relay stores at most this many events (seed
    /// backfills are not capped; they resume where they stopped).
    public var visitEvents = 50_000
    /// `sync.revisit_minutes`: how long after a successful visit a relay is due again.
    public var revisitMinutes = 60
    /// `sync.max_backoff_hours`: the longest wait after failures (which double it from a minute).
    public var maxBackoffHours = 24
    /// `sync.page_size`: events asked for per REQ page.
    public var pageSize = 500
    /// `sync.ingest_batch`: events handed to the store at once.
    public var ingestBatch = 1000
    /// `sync.ingest_queue_batches`: the crawler's batches in the store's queue at once, at most, so
    /// clients' EVENTs never wait behind more than these.
    public var ingestQueueBatches = 2
    /// `sync.max_message_bytes`: the largest message accepted from a remote relay.
    public var maxMessageBytes = 1 << 20
    /// `sync.reconnect_seconds`: the first wait before reconnecting a dropped live subscription
    /// (doubling to 64 times this).
    public var reconnectSeconds = 5

    /// `trusted_sync.*` and `profile_hydration.*`, mapped onto outbox sync.
    public var outbox = Outbox()

    /// Outbox sync: the kinds of pubkeys that matter, fetched from their own NIP-65 write relays.
    public struct Outbox: Sendable {
        /// `trusted_sync.disabled` (inverted, as in the Go original): trusted pubkeys' outboxes.
        public var trustedEnabled = true
        /// `profile_hydration.enabled`: popular pubkeys' outboxes too (follower counts).
        public var popularEnabled = false
        /// `profile_hydration.min_followers`: followers a pubkey needs to count as popular.
        public var minFollowers = 10
        /// `trusted_sync.interval_minutes`: minutes between two outbox passes.
        public var intervalMinutes = 30
        /// `trusted_sync.batch_size`: authors per REQ on a write relay.
        public var authorsPerRequest = 50
        /// `trusted_sync.max_pubkeys`: pubkeys one pass fetches for at most.
        public var maxPubkeys = 10_000
        /// `trusted_sync.kinds` (empty: `sync_kinds`).
        public var kinds: [Int] = []
        /// `trusted_sync.timeout_seconds`: one write relay's share of a pass at most.
        public var timeoutSeconds = 30
        /// `profile_hydration.retry_after_hours`: the first wait before asking again for a pubkey
        /// whose relays had nothing new (it doubles per miss, to 32 times this).
        public var retryAfterHours = 24

        /// The defaults.
        public init() {}
    }

    /// The defaults.
    public init() {}

    /// The kinds crawled from seeds and discovered relays.
    public var effectiveKinds: [Int] { kinds.isEmpty ? syncKinds : kinds }
    /// The kinds fetched from outboxes.
    public var effectiveOutboxKinds: [Int] { outbox.kinds.isEmpty ? syncKinds : outbox.kinds }

    /// `statePath`, or `crawler.lmdb` beside the store at `storePath`.
    public func resolvedStatePath(storePath: String) -> String {
        guard statePath.isEmpty else { return statePath }
        return URL(fileURLWithPath: storePath).deletingLastPathComponent().appendingPathComponent("crawler.lmdb").path
    }

    /// Go keys this project reads but does not use, with why (warned about at start).
    static let unusedGoKeys: [String: String] = [
        "profile_hydration.interval_minutes":
            "popular pubkeys are fetched in the outbox pass (trusted_sync.interval_minutes)",
        "profile_hydration.batch_size": "the outbox pass takes up to trusted_sync.max_pubkeys pubkeys",
    ]

    mutating func read(_ reader: inout ConfigurationReader) throws(ConfigurationError) {
        if let value = try reader.integers("sync_kinds") {
            syncKinds = try Self.checkKinds(value, "sync_kinds", reader)
        }
        if let value = try reader.boolean("sync.enabled") { enabled = value }
        if let value = try reader.strings("sync.relays") {
            for (index, url) in value.enumerated() where url.trimmingCharacters(in: .whitespaces).isEmpty {
                throw reader.error("sync.relays[\(index)]", "must not be empty")
            }
            relays = value
        }
        if let value = try reader.integers("sync.kinds") { kinds = try Self.checkKinds(value, "sync.kinds", reader) }
        if let value = try reader.boolean("sync.discover_relays") { discoverRelays = value }
        if let value = try reader.boolean("sync.live") { live = value }
        if let value = try reader.boolean("sync.allow_private_addresses") { allowPrivateAddresses = value }
        if let value = try reader.integer("sync.max_connections", in: 1...1024) { maxConnections = value }
        if let value = try reader.integer("sync.max_relays", in: 1...10_000_000) { maxRelays = value }
        if let value = try reader.string("sync.state_path") { statePath = value }
        if let value = try reader.integer("sync.visit_seconds", in: 1...86_400) { visitSeconds = value }
        if let value = try reader.integer("sync.visit_events", in: 1...100_000_000) { visitEvents = value }
        if let value = try reader.integer("sync.revisit_minutes", in: 1...525_600) { revisitMinutes = value }
        if let value = try reader.integer("sync.max_backoff_hours", in: 1...8760) { maxBackoffHours = value }
        if let value = try reader.integer("sync.page_size", in: 1...100_000) { pageSize = value }
        if let value = try reader.integer("sync.ingest_batch", in: 1...100_000) { ingestBatch = value }
        if let value = try reader.integer("sync.ingest_queue_batches", in: 1...64) { ingestQueueBatches = value }
        // A negentropy reply of 60,000 bytes is about 120 KiB in hex: less would refuse NIP-77.
        if let value = try reader.integer("sync.max_message_bytes", in: (128 << 10)...(64 << 20)) {
            maxMessageBytes = value
        }
        if let value = try reader.integer("sync.reconnect_seconds", in: 1...3600) { reconnectSeconds = value }

        if let value = try reader.boolean("trusted_sync.disabled") { outbox.trustedEnabled = !value }
        if let value = try reader.integer("trusted_sync.interval_minutes", in: 1...525_600) {
            outbox.intervalMinutes = value
        }
        if let value = try reader.integer("trusted_sync.batch_size", in: 1...5000) { outbox.authorsPerRequest = value }
        if let value = try reader.integer("trusted_sync.max_pubkeys", in: 1...10_000_000) { outbox.maxPubkeys = value }
        if let value = try reader.integers("trusted_sync.kinds") {
            outbox.kinds = try Self.checkKinds(value, "trusted_sync.kinds", reader)
        }
        if let value = try reader.integer("trusted_sync.timeout_seconds", in: 1...3600) {
            outbox.timeoutSeconds = value
        }
        if let value = try reader.boolean("profile_hydration.enabled") { outbox.popularEnabled = value }
        if let value = try reader.integer("profile_hydration.min_followers", in: 1...100_000_000) {
            outbox.minFollowers = value
        }
        if let value = try reader.integer("profile_hydration.retry_after_hours", in: 1...8760) {
            outbox.retryAfterHours = value
        }
        for key in Self.unusedGoKeys.keys.sorted() { _ = try reader.integer(key) }
    }

    private static func checkKinds(
        _ kinds: [Int], _ key: String, _ reader: ConfigurationReader
    ) throws(ConfigurationError) -> [Int] {
        for (index, kind) in kinds.enumerated() where !(0...65_535).contains(kind) {
            throw reader.error("\(key)[\(index)]", "not a kind: \(kind)")
        }
        return kinds
    }
}
