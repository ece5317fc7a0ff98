/// Which way events travel in a sync, as strfry's `sync --dir`.
public enum SyncDirection: String, Sendable, CaseIterable {
    /// Download what the local store lacks.
    case down
    /// Upload what the remote relay lacks.
    case up
    /// Both.
    case both

    /// Whether events the remote has and we lack are downloaded.
    public var downloads: Bool { self != .up }
    /// Whether events we have and the remote lacks are uploaded.
    public var uploads: Bool { self != .down }
}
