import NostrClient
import NostrCore
import PurplePagesConfiguration
import RelayCrawler

extension CrawlerOptions {
    /// The crawler's options from `sync_kinds`, `sync.*`, `trusted_sync.*` and `profile_hydration.*`.
    /// Throws a `ConfigurationError` naming the seed relay URL that is not one.
    public init(_ configuration: RelayConfiguration, file: String? = nil) throws(ConfigurationError) {
        self.init()
        let sync = configuration.sync
        for (index, url) in sync.relays.enumerated() {
            do {
                let normalized = try RelayURLNormalizer.normalize(url)
                if !seeds.contains(normalized) { seeds.append(normalized) }
            } catch {
                throw ConfigurationError(file: file, key: "sync.relays[\(index)]", reason: "\(error)")
            }
        }
        kinds = sync.effectiveKinds.map { Kind(rawValue: UInt16($0)) }
        discoverRelays = sync.discoverRelays
        live = sync.live
        skipPrivateURLs = !sync.allowPrivateAddresses
        maxConnections = sync.maxConnections
        visitTime = .seconds(sync.visitSeconds)
        visitEvents = sync.visitEvents
        pageSize = sync.pageSize
        ingestBatch = sync.ingestBatch
        ingestQueueBatches = sync.ingestQueueBatches
        reconnectDelay = .seconds(sync.reconnectSeconds)
        client.addressPolicy = sync.allowPrivateAddresses ? .any : .publicOnly
        client.maxMessageBytes = sync.maxMessageBytes
        // Several connections at once: each one's backlog stays small.
        client.inboxMessages = 4096
        client.inboxBytes = max(8 << 20, 4 * sync.maxMessageBytes)
        outbox.enabled = sync.outbox.trustedEnabled || sync.outbox.popularEnabled
        outbox.interval = .seconds(sync.outbox.intervalMinutes * 60)
        outbox.kinds = sync.effectiveOutboxKinds.map { Kind(rawValue: UInt16($0)) }
        outbox.authorsPerRequest = sync.outbox.authorsPerRequest
        outbox.maxPubkeys = sync.outbox.maxPubkeys
        outbox.relayTime = .seconds(sync.outbox.timeoutSeconds)
        outbox.retryAfter = .seconds(sync.outbox.retryAfterHours * 3600)
    }
}

extension SchedulePolicy {
    /// The directory's schedule from `sync.revisit_minutes` and `sync.max_backoff_hours`.
    public init(_ configuration: SyncConfiguration) {
        self.init()
        revisitSeconds = Int64(configuration.revisitMinutes) * 60
        maxBackoffSeconds = Int64(configuration.maxBackoffHours) * 3600
    }
}
