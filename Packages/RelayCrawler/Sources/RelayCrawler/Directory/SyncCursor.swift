/// Where syncing one stream (a kind set, a filter) from one relay has got to, so a restart resumes
/// instead of paging the relay's history again.
public struct SyncCursor: Sendable, Equatable, Codable {
    /// Whether the relay's history for this stream has been fetched completely.
    public var backfillComplete: Bool = false
    /// The `until` of the next REQ page while backfilling by REQ.
    public var pagingUntil: Int64? = nil
    /// The newest `created_at` stored from this relay for this stream.
    public var newestSeen: Int64? = nil

    /// A cursor; the defaults describe a stream not started yet.
    public init(backfillComplete: Bool = false, pagingUntil: Int64? = nil, newestSeen: Int64? = nil) {
        self.backfillComplete = backfillComplete
        self.pagingUntil = pagingUntil
        self.newestSeen = newestSeen
    }
}
