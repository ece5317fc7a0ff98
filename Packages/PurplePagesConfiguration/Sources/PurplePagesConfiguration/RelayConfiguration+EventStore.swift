import LMDBStore

extension RelayConfiguration {
    /// `storage.*` and the query limits as the event store takes them: the one place where the
    /// configuration becomes an `EventStoreConfiguration`, for the relay, the importer and the
    /// analytics worker alike. Each then sets what is its own (the relay's hooks and writer
    /// thread, the importer's batch sizes).
    public func eventStore(readOnly: Bool = false) -> EventStoreConfiguration {
        EventStoreConfiguration(
            path: storage.path, mapSizeGB: storage.mapSizeGB, readOnly: readOnly, defaultLimit: limits.defaultLimit,
            maxLimit: limits.maxLimit)
    }
}
