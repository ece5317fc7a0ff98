import LMDBStore

extension RelayConfiguration {
    /// `storage.*` and the query limits as the event store takes them: the one place where the
    /// configuration becomes an `EventStoreConfiguration`, for the relay, the importer and the
    /// analytics worker alike. Each then sets what is its own (the relay's hooks and writer
    /// thread, the importer's batch sizes).
    public func eventStore(readOnly: Bool = false) -> EventStoreConfiguration {
        var store = EventStoreConfiguration(
            path: storage.path, mapSizeGB: storage.mapSizeGB, readOnly: readOnly, defaultLimit: limits.defaultLimit,
            maxLimit: limits.maxLimit)
        // The store holds every negentropy item list to its scan cap as well: a cap below
        // `negentropy_max_items` would refuse syncs the configuration allows. (It also caps COUNTs
        // that cannot be answered from index sizes, which may then walk as far.)
        if limits.negentropyEnabled {
            store.maxScanEvents = max(store.maxScanEvents, limits.negentropyMaxItems)
        }
        return store
    }
}
