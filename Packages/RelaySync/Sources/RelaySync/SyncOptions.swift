import NostrCore

/// What a sync reconciles and how hard it may push; every batch, window and wait is bounded.
public struct SyncOptions: Sendable {
    /// The events in question (its `limit` is ignored).
    public var filter: Filter
    /// Which way events travel.
    public var direction: SyncDirection = .down
    /// Reconcile and report what would move, but download and upload nothing.
    public var dryRun = false
    /// Most events one side may hold for the filter: the local list and the remote ids paging
    /// collects are refused beyond it (about 40 bytes of memory per item).
    public var maxItems = 2_000_000
    /// Largest negentropy message we send, before hex (0: unlimited). Smaller means more rounds.
    public var frameSizeLimit = 60_000
    /// Ids asked for in one REQ when downloading.
    public var fetchBatch = 500
    /// Downloaded events saved to the store in one transaction, at most (and at least, but for the
    /// last): large commits are far cheaper than small ones in a big store.
    public var saveBatch = 5000
    /// Events uploaded and not yet answered by an OK, at most (our relay takes 256 from a
    /// connection at once into its group commit).
    public var uploadWindow = 256
    /// Events asked for in one page of the REQ-paging fallback.
    public var pageSize = 500
    /// How long the remote may stay silent while an answer is due before the sync gives up.
    public var responseTimeout: Duration = .seconds(30)
    /// How long to wait for the first negentropy answer before falling back to REQ paging.
    public var negentropyTimeout: Duration = .seconds(15)
    /// Skip negentropy and page with REQ from the start.
    public var forceRequestPaging = false
    /// Page with REQ when the remote does not speak negentropy; when false the sync stops there
    /// instead (`SyncSummary.method` stays nil, `fallbackReason` says why), for callers that page
    /// their own way (the crawler resumes paging from a persisted cursor).
    public var fallBackToPaging = true
    /// Events downloaded in one run at most (nil: all the remote has that the store lacks); the
    /// rest is left for the next run, which reconciles again.
    public var maxDownloads: Int?

    /// A sync of `filter`.
    public init(filter: Filter) { self.filter = filter }
}
