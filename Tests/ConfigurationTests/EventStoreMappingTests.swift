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
}
