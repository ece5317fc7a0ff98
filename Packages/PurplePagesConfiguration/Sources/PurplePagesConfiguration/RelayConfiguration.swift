import Foundation
import NostrCore

/// Everything the relay reads from `config.json` (keys compatible with the Go original), with
/// built-in defaults when the file or a key is absent. An explicit 0 means 0.
public struct RelayConfiguration: Sendable {
    /// `relay.*`: what NIP-11 says about the relay.
    public struct Identity: Sendable {
        public var name = "PurplePages"
        public var description = "A Nostr relay for finding people: profiles, follow lists, relay lists and lists."
        public var pubkey = ""
        public var contact = ""
        public var icon = ""
        /// Extra NIPs to advertise on top of those implemented.
        public var supportedNIPs: [Int] = []
        public var software = "https://github.com/purplepages/purplepages"
        public var version = "0.1.0"
    }

    /// `server.*`.
    public struct Server: Sendable {
        public var host = "0.0.0.0"
        public var port = 3335
    }

    /// `storage.*`.
    public struct Storage: Sendable {
        /// Only `"lmdb"` exists.
        public var backend = "lmdb"
        public var path = "./data/events.lmdb"
        /// PostgreSQL for analytics; empty turns tracking off.
        public var analyticsDatabaseURL = ""
        public var mapSizeGB = 16
        /// Whether replaced versions of `analytics.history_kinds` are archived into `event_history`
        /// (the Go original's key; needs `analytics_db_url`).
        public var archiveEnabled = true
        /// How often expired (NIP-40) events are deleted, in minutes; 0 never deletes them (they
        /// stay hidden from queries either way).
        public var purgeExpiredMinutes = 60
    }

    /// `limits.*`: every one enforced and advertised in NIP-11.
    public struct Limits: Sendable {
        public var maxSubscriptions = 50
        public var maxFilters = 10
        public var maxLimit = 2000
        public var defaultLimit = 500
        public var maxEventTags = 2000
        public var maxContentLength = 131_072
        public var maxMessageBytes = 512_000
        /// How far in the future `created_at` may be, in seconds.
        public var createdAtFutureSeconds = 900
        public var eventsPerDayLimit = 50_000
        public var minTrustedFollowers = 1000
        /// Per-IP token buckets: EVENTs, REQ/COUNTs and new connections per second (fractions
        /// allowed: 0.1 is one every 10 s), and how many may come at once. A rate of 0 means unlimited.
        public var eventRate = 50.0
        public var eventBurst = 500
        public var reqRate = 50.0
        public var reqBurst = 500
        public var connectionRate = 10.0
        public var connectionBurst = 100
        /// A connection's unsent messages and bytes at most; a client further behind is disconnected.
        public var outboundQueueMessages = 20_000
        public var outboundQueueBytes = 64 << 20
        /// Whether NIP-77 negentropy sync is offered (NEG-OPEN, NEG-MSG, NEG-CLOSE); when it is
        /// not, NEG-OPEN is answered `NEG-ERR "closed: ..."` and NIP-11 leaves 77 out.
        public var negentropyEnabled = true
        /// Negentropy sessions one connection may hold open at once.
        public var negentropyMaxSessions = 8
        /// Events one negentropy session may list at most (a filter matching more is refused), so a
        /// store of a million events can be synced with one `{}` filter.
        public var negentropyMaxItems = 2_000_000
        /// Items all negentropy sessions of all connections may hold together (about 72 bytes each),
        /// so many connections syncing at once cannot exhaust memory; a NEG-OPEN past it is refused
        /// until others finish.
        public var negentropyMaxTotalItems = 4_000_000
        /// A negentropy session untouched this long is closed (`NEG-ERR "closed: ..."`), in seconds.
        public var negentropyIdleSeconds = 60
        /// Bytes of one negentropy reply at most, before hex: 60,000 (what rust-nostr's relay and
        /// strfry's sync client use) keeps a NEG-MSG under 128 KiB, which every client accepts.
        public var negentropyFrameSizeLimit = 60_000
    }

    public var identity = Identity()
    public var server = Server()
    public var storage = Storage()
    /// Kinds accepted for storage; kind 5 deletions are always accepted on top.
    public var allowedKinds = KindSet.purplePagesDefault
    public var limits = Limits()
    /// `analytics.*` (tracking and retention).
    public var analytics = AnalyticsConfiguration()
    public var statsPassword = ""
    /// CIDRs of proxies whose `X-Forwarded-For` is believed.
    public var trustedProxies: [String] = []
    /// `sync_kinds`, `sync.*`, `trusted_sync.*`, `profile_hydration.*`: the network crawler.
    public var sync = SyncConfiguration()
    /// Keys in the file that nothing knows (reported once at start).
    public private(set) var unknownKeys: [String] = []
    /// Keys of the Go original in the file that this project reads but does not use.
    public private(set) var unusedGoKeys: [String] = []

    /// The kinds whose replaced versions are archived: `analytics.history_kinds`, or none when
    /// `storage.archive_enabled` is false.
    public var archivedKinds: [Int] { storage.archiveEnabled ? analytics.historyKinds : [] }

    /// What to log at start about the file: one line per unknown key and per Go key not used (saying why).
    public var warnings: [String] {
        unknownKeys.map { "config: unknown key \($0) is ignored" }
            + unusedGoKeys.map { "config: \($0) is ignored: \(SyncConfiguration.unusedGoKeys[$0] ?? "not used")" }
    }

    /// The built-in defaults.
    public init() {}

    /// Reads `path`; a missing file gives the defaults. Throws a `ConfigurationError` naming the
    /// file and key for anything invalid.
    public static func load(path: String) throws(ConfigurationError) -> RelayConfiguration {
        guard FileManager.default.fileExists(atPath: path) else { return RelayConfiguration() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(file: path, key: "", reason: "cannot read the file")
        }
        return try parse(Array(data), file: path)
    }

    /// Parses config.json bytes.
    public static func parse(_ bytes: [UInt8], file: String? = nil) throws(ConfigurationError) -> RelayConfiguration {
        let json: JSONValue
        do {
            json = try JSONValue.parse(bytes)
        } catch {
            throw ConfigurationError(file: file, key: "", reason: "not valid JSON: \(error)")
        }
        var reader = try ConfigurationReader(json: json, file: file)
        var config = RelayConfiguration()
        try config.read(&reader)
        config.unknownKeys = reader.unknownKeys(knownSections: [])
        config.unusedGoKeys = reader.presentKeys(inSections: Set(SyncConfiguration.unusedGoKeys.keys))
        return config
    }

    private mutating func read(_ reader: inout ConfigurationReader) throws(ConfigurationError) {
        if let value = try reader.string("relay.name") { identity.name = value }
        if let value = try reader.string("relay.description") { identity.description = value }
        if let value = try reader.string("relay.pubkey") {
            guard value.isEmpty || PublicKey(hex: value) != nil else {
                throw reader.error("relay.pubkey", "expected 64 lowercase hex characters")
            }
            identity.pubkey = value
        }
        if let value = try reader.string("relay.contact") { identity.contact = value }
        if let value = try reader.string("relay.icon") { identity.icon = value }
        if let value = try reader.integers("relay.supported_nips") { identity.supportedNIPs = value }
        if let value = try reader.string("relay.software") { identity.software = value }
        if let value = try reader.string("relay.version") { identity.version = value }

        if let value = try reader.string("server.host") { server.host = value }
        if let value = try reader.integer("server.port", in: 0...65535) { server.port = value }

        if let value = try reader.string("storage.backend") {
            guard value == "lmdb" else {
                throw reader.error("storage.backend", "only \"lmdb\" is supported, not \"\(value)\"")
            }
            storage.backend = value
        }
        if let value = try reader.string("storage.path") {
            guard !value.isEmpty else { throw reader.error("storage.path", "must not be empty") }
            storage.path = value
        }
        if let value = try reader.string("storage.analytics_db_url") { storage.analyticsDatabaseURL = value }
        if let value = try reader.integer("storage.map_size_gb", in: 1...1 << 20) { storage.mapSizeGB = value }
        if let value = try reader.boolean("storage.archive_enabled") { storage.archiveEnabled = value }
        if let value = try reader.integer("storage.purge_expired_minutes", in: 0...525_600) {
            storage.purgeExpiredMinutes = value
        }

        if let value = try reader.kinds("allowed_kinds") { allowedKinds = value }

        if let value = try reader.integer("limits.max_subscriptions") { limits.maxSubscriptions = value }
        if let value = try reader.integer("limits.max_filters") { limits.maxFilters = value }
        if let value = try reader.integer("limits.max_limit") { limits.maxLimit = value }
        if let value = try reader.integer("limits.default_limit") { limits.defaultLimit = value }
        if let value = try reader.integer("limits.max_event_tags") { limits.maxEventTags = value }
        if let value = try reader.integer("limits.max_content_length") { limits.maxContentLength = value }
        if let value = try reader.integer("limits.max_message_bytes", in: 1024...(64 << 20)) {
            limits.maxMessageBytes = value
        }
        if let value = try reader.integer("limits.created_at_future_seconds") { limits.createdAtFutureSeconds = value }
        if let value = try reader.integer("limits.events_per_day_limit") { limits.eventsPerDayLimit = value }
        if let value = try reader.integer("limits.min_trusted_followers") { limits.minTrustedFollowers = value }
        if let value = try reader.rate("limits.event_rate") { limits.eventRate = value }
        if let value = try reader.integer("limits.event_burst") { limits.eventBurst = value }
        if let value = try reader.rate("limits.req_rate") { limits.reqRate = value }
        if let value = try reader.integer("limits.req_burst") { limits.reqBurst = value }
        if let value = try reader.rate("limits.connection_rate") { limits.connectionRate = value }
        if let value = try reader.integer("limits.connection_burst") { limits.connectionBurst = value }
        if let value = try reader.integer("limits.outbound_queue_messages", in: 16...(1 << 24)) {
            limits.outboundQueueMessages = value
        }
        if let value = try reader.integer("limits.outbound_queue_bytes", in: (64 << 10)...(1 << 34)) {
            limits.outboundQueueBytes = value
        }
        guard limits.defaultLimit <= limits.maxLimit else {
            throw reader.error("limits.default_limit", "must not exceed limits.max_limit (\(limits.maxLimit))")
        }
        if let value = try reader.boolean("limits.negentropy_enabled") { limits.negentropyEnabled = value }
        if let value = try reader.integer("limits.negentropy_max_sessions", in: 1...10_000) {
            limits.negentropyMaxSessions = value
        }
        if let value = try reader.integer("limits.negentropy_max_items", in: 1...100_000_000) {
            limits.negentropyMaxItems = value
        }
        if let value = try reader.integer("limits.negentropy_max_total_items", in: 1...1_000_000_000) {
            guard value >= limits.negentropyMaxItems else {
                throw reader.error(
                    "limits.negentropy_max_total_items",
                    "must be at least limits.negentropy_max_items (\(limits.negentropyMaxItems))")
            }
            limits.negentropyMaxTotalItems = value
        } else {
            // Unset: at least one session of the largest size fits.
            limits.negentropyMaxTotalItems = max(limits.negentropyMaxTotalItems, limits.negentropyMaxItems)
        }
        if let value = try reader.integer("limits.negentropy_idle_seconds", in: 1...86_400) {
            limits.negentropyIdleSeconds = value
        }
        // The protocol's minimum frame is 4096 bytes (0, no limit at all, is not offered: one reply
        // could then list millions of ids).
        if let value = try reader.integer("limits.negentropy_frame_size_limit", in: 4096...(16 << 20)) {
            limits.negentropyFrameSizeLimit = value
        }
        // A reply is sent hex-encoded (twice its bytes) in one message, which must fit in the
        // connection's outgoing queue or the client would be dropped as a slow consumer.
        let negentropyMessageBytes = 2 * limits.negentropyFrameSizeLimit + 1024
        guard !limits.negentropyEnabled || negentropyMessageBytes <= limits.outboundQueueBytes else {
            throw reader.error(
                "limits.negentropy_frame_size_limit",
                "a reply of \(limits.negentropyFrameSizeLimit) bytes is a message of about \(negentropyMessageBytes) "
                    + "bytes in hex, more than limits.outbound_queue_bytes (\(limits.outboundQueueBytes))")
        }

        try analytics.read(&reader)
        try sync.read(&reader)

        if let value = try reader.string("stats_password") { statsPassword = value }
        if let value = try reader.strings("trusted_proxies") {
            for (index, text) in value.enumerated() where CIDR(text) == nil {
                throw reader.error("trusted_proxies[\(index)]", "not a CIDR like \"10.0.0.0/8\": \"\(text)\"")
            }
            trustedProxies = value
        }
    }
}
