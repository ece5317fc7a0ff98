import Foundation
import NostrCore
import PurplePagesConfiguration
import Testing

@Suite("Relay configuration")
struct ConfigurationTests {
    private func parse(_ json: String) throws(ConfigurationError) -> RelayConfiguration {
        try RelayConfiguration.parse(Array(json.utf8), file: "config.json")
    }

    @Test func absentFileGivesTheDefaults() throws {
        let config = try RelayConfiguration.load(path: "/nonexistent/\(UUID().uuidString)/config.json")
        #expect(config.server.host == "0.0.0.0" && config.server.port == 3335)
        #expect(config.storage.backend == "lmdb" && config.storage.path == "./data/events.lmdb")
        #expect(config.allowedKinds == KindSet.purplePagesDefault)
        #expect(config.limits.maxLimit == 2000 && config.limits.defaultLimit == 500)
        #expect(config.unknownKeys.isEmpty)
    }

    @Test func readsTheGoOriginalsKeys() throws {
        let config = try parse(
            """
            {"relay": {"name": "pp", "description": "d", "pubkey": "\(String(repeating: "ab", count: 32))",
                       "contact": "c", "icon": "i", "supported_nips": [51], "software": "s", "version": "v"},
             "server": {"host": "127.0.0.1", "port": 4444},
             "storage": {"backend": "lmdb", "path": "/tmp/x", "analytics_db_url": "postgresql://h/db", "map_size_gb": 2},
             "allowed_kinds": [0, 3, "10000-10002", "30000-30003"],
             "limits": {"max_subscriptions": 0, "max_filters": 3, "max_limit": 100, "default_limit": 10,
                        "max_event_tags": 5, "max_content_length": 6, "max_message_bytes": 2048,
                        "events_per_day_limit": 7, "min_trusted_followers": 8},
             "stats_password": "p", "trusted_proxies": ["10.0.0.0/8"],
             "sync": {"enabled": false}, "analytics": {"interval_minutes": 60}}
            """)
        #expect(config.identity.name == "pp" && config.identity.supportedNIPs == [51])
        #expect(config.server.port == 4444 && config.storage.mapSizeGB == 2)
        #expect(config.allowedKinds.contains(10001) && !config.allowedKinds.contains(10003))
        #expect(config.allowedKinds.contains(30003) && !config.allowedKinds.contains(1))
        #expect(config.limits.maxSubscriptions == 0)  // an explicit 0 means 0
        #expect(config.limits.maxFilters == 3 && config.limits.maxMessageBytes == 2048)
        #expect(config.trustedProxies == ["10.0.0.0/8"] && config.statsPassword == "p")
        #expect(config.unknownKeys.isEmpty)
    }

    @Test func readsTheAnalyticsSection() throws {
        let defaults = try parse("{}").analytics
        #expect(defaults.flushSeconds == 15 && defaults.historyKinds == [0, 3, 10002])
        #expect(defaults.retention.hourlyDays == 14 && defaults.retention.dailyDays == 400)
        let config = try parse(
            """
            {"analytics": {"flush_seconds": 5, "max_pending_keys": 5000, "history_kinds": [0],
                           "retention": {"hourly_days": 2, "daily_days": 30, "cooccurrence_max_rows": 10,
                                         "cooccurrence_max_age_days": 3, "history_days": 90},
                           "interval_minutes": 60, "trust_seeds": []},
             "limits": {"event_rate": 0.5, "outbound_queue_messages": 100, "outbound_queue_bytes": 1048576}}
            """)
        #expect(config.analytics.flushSeconds == 5 && config.analytics.maxPendingKeys == 5000)
        #expect(config.analytics.historyKinds == [0])
        #expect(config.analytics.retention.hourlyDays == 2 && config.analytics.retention.dailyDays == 30)
        #expect(config.analytics.retention.cooccurrenceMaxRows == 10)
        #expect(config.analytics.retention.cooccurrenceMaxAgeDays == 3 && config.analytics.retention.historyDays == 90)
        #expect(config.limits.eventRate == 0.5)
        #expect(config.limits.outboundQueueMessages == 100 && config.limits.outboundQueueBytes == 1_048_576)
        #expect(config.unknownKeys.isEmpty)
    }

    @Test func readsTheAnalyticsWorkerKeys() throws {
        let defaults = try parse("{}").analytics.worker
        #expect(defaults.intervalMinutes == 60 && defaults.trustSeeds.isEmpty && defaults.trustThreshold == 3)
        #expect(defaults.botClusterMinSize == 5 && defaults.botClusterMinDensity == 0.7)
        #expect(defaults.botClusterMaxExternalRatio == 0.2 && defaults.communitiesMaxCount == 50)
        let hex = String(repeating: "ab", count: 32)
        let npub = try NIP19.encode(.npub(PublicKey(hex: String(repeating: "cd", count: 32))!))
        let config = try parse(
            """
            {"analytics": {"interval_minutes": 15, "trust_seeds": ["\(hex.uppercased())", "\(npub)"],
                           "trust_threshold": 4, "trust_seed_top_pagerank": 0,
                           "bot_clusters": {"min_size": 6, "min_density": 0.5, "max_external_ratio": 0.1},
                           "communities": {"max_count": 20, "min_size": 3, "seed": 9},
                           "reload_minutes": 2, "reload_max_pubkeys": 10, "nice": 0}}
            """)
        let worker = config.analytics.worker
        #expect(worker.intervalMinutes == 15 && worker.trustThreshold == 4 && worker.trustSeedTopPageRank == 0)
        #expect(worker.trustSeeds == [hex, String(repeating: "cd", count: 32)])
        #expect(worker.botClusterMinSize == 6 && worker.botClusterMinDensity == 0.5)
        #expect(worker.botClusterMaxExternalRatio == 0.1)
        #expect(worker.communitiesMaxCount == 20 && worker.communitiesMinSize == 3 && worker.communitiesSeed == 9)
        #expect(worker.reloadMinutes == 2 && worker.reloadMaxPubkeys == 10 && worker.nice == 0)
        #expect(config.unknownKeys.isEmpty)
        #expect(try parse(#"{"analytics": {"colour": 1}}"#).unknownKeys == ["analytics.colour"])
    }

    @Test func unknownKeysAreReportedNotFatal() throws {
        let config = try parse(#"{"relay": {"name": "x", "colour": "purple"}, "extra": 1}"#)
        #expect(config.unknownKeys == ["extra", "relay.colour"])
    }

    @Test func networkSyncKeysAreRead() throws {
        let config = try parse(
            """
            {"sync": {"enabled": true, "relays": ["wss://a"], "max_connections": 3, "allow_private_addresses": true},
             "sync_kinds": [0, 3], "trusted_sync": {"disabled": true, "batch_size": 20, "kinds": [0]},
             "profile_hydration": {"enabled": true, "min_followers": 5, "interval_minutes": 5}, "synced": 1}
            """)
        #expect(config.unknownKeys == ["synced"])
        #expect(config.sync.enabled && config.sync.relays == ["wss://a"] && config.sync.maxConnections == 3)
        #expect(config.sync.allowPrivateAddresses)
        #expect(config.sync.effectiveKinds == [0, 3] && config.sync.effectiveOutboxKinds == [0])
        #expect(!config.sync.outbox.trustedEnabled && config.sync.outbox.authorsPerRequest == 20)
        #expect(config.sync.outbox.popularEnabled && config.sync.outbox.minFollowers == 5)
        // A Go key that is read but has no use here warns and says why; none is dropped silently.
        #expect(config.unusedGoKeys == ["profile_hydration.interval_minutes"])
        #expect(config.warnings.count == 2)
        #expect(config.warnings.contains { $0.hasPrefix("config: profile_hydration.interval_minutes is ignored: ") })
        let defaults = try parse("{}")
        #expect(defaults.warnings.isEmpty && !defaults.sync.enabled && !defaults.sync.allowPrivateAddresses)
        #expect(defaults.sync.effectiveKinds.contains(10002) && defaults.sync.effectiveOutboxKinds.contains(3))
        #expect(
            defaults.sync.resolvedStatePath(storePath: "/srv/data/events.lmdb") == "/srv/data/crawler.lmdb")
        #expect(throws: ConfigurationError.self) { try parse(#"{"sync": {"max_connections": 0}}"#) }
        #expect(throws: ConfigurationError.self) { try parse(#"{"sync": {"relays": [""]}}"#) }
        #expect(throws: ConfigurationError.self) { try parse(#"{"sync_kinds": [70000]}"#) }
        #expect(throws: ConfigurationError.self) { try parse(#"{"trusted_sync": {"disabled": "no"}}"#) }
    }

    @Test func archiveAndPurgeKeys() throws {
        let defaults = try parse("{}")
        #expect(defaults.storage.archiveEnabled && defaults.storage.purgeExpiredMinutes == 60)
        #expect(defaults.archivedKinds == [0, 3, 10002])
        let config = try parse(
            #"{"storage": {"archive_enabled": false, "purge_expired_minutes": 0}, "analytics": {"history_kinds": [0]}}"#
        )
        #expect(!config.storage.archiveEnabled && config.storage.purgeExpiredMinutes == 0)
        #expect(config.archivedKinds.isEmpty && config.analytics.historyKinds == [0])
        #expect(config.warnings.isEmpty)
        #expect(throws: ConfigurationError.self) { try parse(#"{"storage": {"archive_enabled": "yes"}}"#) }
        #expect(throws: ConfigurationError.self) { try parse(#"{"storage": {"purge_expired_minutes": -1}}"#) }
    }

    @Test func readsTheNegentropyKeys() throws {
        let defaults = try parse("{}").limits
        #expect(defaults.negentropyEnabled && defaults.negentropyMaxSessions == 8)
        #expect(defaults.negentropyMaxItems == 2_000_000 && defaults.negentropyIdleSeconds == 60)
        #expect(defaults.negentropyFrameSizeLimit == 60_000 && defaults.negentropyMaxTotalItems == 4_000_000)
        // The relay-wide cap: set, refused below one session's maximum, raised to it when unset.
        #expect(
            try parse(#"{"limits": {"negentropy_max_total_items": 9000000}}"#).limits.negentropyMaxTotalItems
                == 9_000_000)
        #expect(
            try parse(#"{"limits": {"negentropy_max_items": 5000000}}"#).limits.negentropyMaxTotalItems == 5_000_000)
        #expect(throws: ConfigurationError.self) {
            try parse(#"{"limits": {"negentropy_max_items": 500, "negentropy_max_total_items": 499}}"#)
        }
        #expect(throws: ConfigurationError.self) { try parse(#"{"limits": {"negentropy_max_total_items": 0}}"#) }
        let config = try parse(
            """
            {"limits": {"negentropy_enabled": false, "negentropy_max_sessions": 2, "negentropy_max_items": 500,
                        "negentropy_idle_seconds": 5, "negentropy_frame_size_limit": 4096}}
            """)
        #expect(!config.limits.negentropyEnabled && config.limits.negentropyMaxSessions == 2)
        #expect(config.limits.negentropyMaxItems == 500 && config.limits.negentropyIdleSeconds == 5)
        #expect(config.limits.negentropyFrameSizeLimit == 4096)
        #expect(config.unknownKeys.isEmpty)
        // A frame whose hex does not fit the outgoing queue is only an error while negentropy is on.
        let small = #"{"limits": {"outbound_queue_bytes": 65536, "negentropy_frame_size_limit": 60000"#
        #expect(throws: ConfigurationError.self) { try parse(small + "}}") }
        #expect(try !parse(small + #", "negentropy_enabled": false}}"#).limits.negentropyEnabled)
        #expect(
            try parse(#"{"limits": {"outbound_queue_bytes": 65536, "negentropy_frame_size_limit": 30000}}"#)
                .limits.negentropyFrameSizeLimit == 30000)
    }

    @Test(arguments: [
        (#"{"limits": {"max_limit": "x"}}"#, "limits.max_limit"),
        (#"{"limits": {"max_limit": -1}}"#, "limits.max_limit"),
        (#"{"server": {"port": 70000}}"#, "server.port"),
        (#"{"storage": {"backend": "postgresql"}}"#, "storage.backend"),
        (#"{"allowed_kinds": [0, "5-2"]}"#, "allowed_kinds[1]"),
        (#"{"allowed_kinds": [70000]}"#, "allowed_kinds[0]"),
        (#"{"allowed_kinds": ["a-b"]}"#, "allowed_kinds[0]"),
        (#"{"relay": {"pubkey": "npub1xyz"}}"#, "relay.pubkey"),
        (#"{"limits": {"default_limit": 600, "max_limit": 500}}"#, "limits.default_limit"),
        (#"{"trusted_proxies": [1]}"#, "trusted_proxies[0]"),
        (#"{"analytics": {"flush_seconds": 0}}"#, "analytics.flush_seconds"),
        (#"{"analytics": {"history_kinds": [0, 70000]}}"#, "analytics.history_kinds[1]"),
        (#"{"analytics": {"retention": {"hourly_days": "two weeks"}}}"#, "analytics.retention.hourly_days"),
        (#"{"limits": {"outbound_queue_bytes": 10}}"#, "limits.outbound_queue_bytes"),
        (#"{"analytics": {"trust_seeds": ["abc"]}}"#, "analytics.trust_seeds[0]"),
        (#"{"analytics": {"trust_threshold": 0}}"#, "analytics.trust_threshold"),
        (#"{"analytics": {"bot_clusters": {"min_density": 1.5}}}"#, "analytics.bot_clusters.min_density"),
        (#"{"analytics": {"interval_minutes": 0}}"#, "analytics.interval_minutes"),
        (#"{"analytics": {"nice": 20}}"#, "analytics.nice"),
        (#"{"limits": {"event_rate": -1}}"#, "limits.event_rate"),
        (#"{"limits": {"negentropy_enabled": 1}}"#, "limits.negentropy_enabled"),
        (#"{"limits": {"negentropy_max_sessions": 0}}"#, "limits.negentropy_max_sessions"),
        (#"{"limits": {"negentropy_max_items": 0}}"#, "limits.negentropy_max_items"),
        (#"{"limits": {"negentropy_max_items": -5}}"#, "limits.negentropy_max_items"),
        (#"{"limits": {"negentropy_idle_seconds": 0}}"#, "limits.negentropy_idle_seconds"),
        (#"{"limits": {"negentropy_frame_size_limit": 0}}"#, "limits.negentropy_frame_size_limit"),
        (#"{"limits": {"negentropy_frame_size_limit": 4095}}"#, "limits.negentropy_frame_size_limit"),
        (
            #"{"limits": {"outbound_queue_bytes": 65536, "negentropy_frame_size_limit": 60000}}"#,
            "limits.negentropy_frame_size_limit"
        ),
    ])
    func invalidValuesNameTheirKey(_ json: String, _ key: String) {
        #expect {
            try parse(json)
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.key == key && error.file == "config.json" && error.description.contains(key)
        }
    }

    @Test func malformedJSONIsReportedWithItsOffset() {
        #expect {
            try parse(#"{"relay": {"name": "x",}}"#)
        } throws: { error in
            (error as? ConfigurationError)?.description.contains("byte") == true
        }
    }

    @Test func kindSetsMergeRanges() {
        let set = KindSet([3...3, 0...0, 1...2, 10...20, 15...30])
        #expect(set.ranges == [0...3, 10...30])
        #expect(set.description == "0-3, 10-30")
        #expect(set.adding(5).contains(5) && !set.contains(5))
    }
}
