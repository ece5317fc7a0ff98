import LMDBStore
import Logging
import NostrClient
import NostrCore

/// Makes the local store and one remote relay equal for a filter (strfry's `sync`): reconciles the
/// two sets by NIP-77 negentropy, or by REQ paging when the remote does not speak it, then
/// downloads what the store lacks (saved through the store's normal rules: replaceable versions,
/// deletions, tombstones, expiration) and uploads what the remote lacks.
///
/// Every event that arrives has been checked by the client (id, signature, and the policy the
/// client was configured with) before the store sees it, and is saved only if it was asked for.
public struct StoreSynchronizer: Sendable {
    /// The local store (opened for writing unless the sync is a dry run or uploads only).
    public let store: any SyncStore
    /// What to sync and how.
    public let options: SyncOptions
    let logger: Logger
    let progress: (@Sendable (SyncSummary) -> Void)?

    /// A synchronizer for `store`; `progress` sees the summary after every round and batch.
    public init(
        store: any SyncStore, options: SyncOptions, logger: Logger = Logger(label: "purplepages.sync"),
        progress: (@Sendable (SyncSummary) -> Void)? = nil
    ) {
        self.store = store
        self.options = options
        self.logger = logger
        self.progress = progress
    }

    /// Syncs over `client` (connected to the remote). Never throws: what went wrong is the
    /// summary's `error`, beside everything done until then.
    public func run(with client: RelayClient) async -> SyncSummary {
        let started = ContinuousClock.now
        let before = client.statistics
        var summary = SyncSummary(url: client.url)
        summary.dryRun = options.dryRun
        do {
            try await sync(client, &summary)
        } catch let error as SyncError {
            summary.error = error
        } catch let error as RelayClientError {
            summary.error = .connectionLost(error.description)
        } catch let error as StoreError {
            summary.error = .storeFailed("\(error)")
        } catch {
            summary.error = .connectionLost("\(error)")
        }
        let after = client.statistics
        summary.bytesSent = after.bytesSent - before.bytesSent
        summary.bytesReceived = after.bytesReceived - before.bytesReceived
        summary.elapsed = ContinuousClock.now - started
        return summary
    }

    private func sync(_ client: RelayClient, _ summary: inout SyncSummary) async throws {
        let items: [NegentropyItem]
        do {
            items = try store.negentropyItems(options.filter, limit: options.maxItems)
        } catch StoreError.tooManyResults(let limit) {
            throw SyncError.tooManyItems(side: "local", limit: limit)
        }
        summary.localItems = items.count
        var reconciled: Reconciliation?
        if options.forceRequestPaging {
            summary.fallbackReason = "REQ paging was asked for"
        } else {
            switch try await reconcile(items, over: client, &summary) {
            case .reconciled(let result): reconciled = result
            case .unsupported(let reason): summary.fallbackReason = reason
            }
        }
        if let reconciled {
            summary.method = .negentropy
            summary.have = reconciled.have.count
            summary.need = reconciled.need.count
            progress?(summary)
            guard !options.dryRun else { return }
            if options.direction.downloads {
                let need = options.maxDownloads.map { Array(reconciled.need.prefix(max(0, $0))) } ?? reconciled.need
                try await download(need, over: client, &summary)
            }
            if options.direction.uploads { try await upload(reconciled.have, over: client, &summary) }
        } else if options.fallBackToPaging {
            summary.method = .requestPaging
            logger.info("\(client.url): \(summary.fallbackReason ?? "") - paging with REQ")
            let local = Set(items.lazy.map(\.id))
            let remote = try await page(over: client, local: local, &summary)
            let have = items.lazy.map(\.id).filter { !remote.contains($0) }
            summary.have = have.count
            progress?(summary)
            if options.direction.uploads && !options.dryRun { try await upload(Array(have), over: client, &summary) }
        }
    }

    // MARK: Waiting for the remote

    /// The next message from the remote, or `SyncError.connectionLost` when it stays silent for
    /// `responseTimeout` or the connection ends.
    func next(from client: RelayClient) async throws -> RelayResponse {
        do {
            return try await client.receive(timeout: options.responseTimeout)
        } catch RelayClientError.timedOut {
            throw SyncError.connectionLost("no answer within \(SyncSummary.seconds(options.responseTimeout))")
        } catch let error as RelayClientError {
            throw SyncError.connectionLost(error.description)
        }
    }

    /// Saves `events` and counts what the store did with them.
    func save(_ events: [Event], _ summary: inout SyncSummary) async throws {
        guard !events.isEmpty else { return }
        for outcome in try await store.save(events) { summary.saved[outcome, default: 0] += 1 }
    }
}

extension SyncSummary {
    /// Counts an event refused before the store for `reason`.
    mutating func refuse(_ reason: String) { refused[reason, default: 0] += 1 }
}
