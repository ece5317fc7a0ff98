import LMDBStore
import PurplePagesConfiguration
import Testing

/// `RelayConfiguration.eventStore()`: the one mapping of the configuration to the event store's,
/// shared by the relay, the importer and the worker.
@Suite("Configuration: the event store's configuration")
struct EventStoreMappingTests {
    @Test func theDefaultsOfBothAgree() {
        let store = RelayConfiguration().eventStore()
        let bare = EventStoreConfiguration(path: "./data/events.lmdb")
        #expect(store.path == bare.path && store.mapSizeGB == bare.mapSizeGB)
        #expect(store.defaultLimit == bare.defaultLimit && store.maxLimit == bare.maxLimit)
        #expect(store.maxLimit == 2000 && store.defaultLimit == 500 && !store.readOnly)
    }

    @Test func storageAndLimitsAreCarriedOver() throws {
        let configuration = try RelayConfiguration.parse(
            Array(
                """
                {"storage": {"path": "/srv/pp/events", "map_size_gb": 64},
                 "limits": {"default_limit": 50, "max_limit": 700}}
                """.utf8))
        let store = configuration.eventStore(readOnly: true)
        #expect(store.path == "/srv/pp/events" && store.mapSizeGB == 64 && store.readOnly)
        #expect(store.defaultLimit == 50 && store.maxLimit == 700)
        #expect(store.writerThread == .own)
    }

    /// The store's scan cap never undercuts `limits.negentropy_max_items`: a sync the configuration
    /// allows is not refused by the store.
    @Test func theScanCapCoversTheNegentropyItems() throws {
        let bare = EventStoreConfiguration(path: "./data/events.lmdb")
        #expect(RelayConfiguration().eventStore().maxScanEvents == max(bare.maxScanEvents, 2_000_000))
        let large = try RelayConfiguration.parse(Array(#"{"limits": {"negentropy_max_items": 5000000}}"#.utf8))
        #expect(large.eventStore().maxScanEvents == 5_000_000)
        let small = try RelayConfiguration.parse(Array(#"{"limits": {"negentropy_max_items": 10}}"#.utf8))
        #expect(small.eventStore().maxScanEvents == bare.maxScanEvents)
        let off = try RelayConfiguration.parse(
            Array(#"{"limits": {"negentropy_enabled": false, "negentropy_max_items": 5000000}}"#.utf8))
        #expect(off.eventStore().maxScanEvents == bare.maxScanEvents)
    }
}
