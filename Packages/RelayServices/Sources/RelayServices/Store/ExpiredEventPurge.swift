import LMDBStore
import Logging
import ServiceLifecycle

/// Deletes expired (NIP-40) events from the store: once at start, then every `interval`
/// (`storage.purge_expired_minutes`). Queries hide expired events anyway; this gives their space back.
/// The deletes go through the store's one writer like any save.
public struct ExpiredEventPurge: Service {
    let store: EventStore
    let interval: Duration
    let logger: Logger

    /// A purge of `store` every `interval`.
    public init(store: EventStore, interval: Duration, logger: Logger) {
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    /// Purges until graceful shutdown (or cancellation); a failed purge is logged and tried again
    /// at the next interval.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await purgeOnce()
                do { try await Task.sleep(for: interval) } catch { return }
            }
        }
    }

    /// One purge; returns how many events it deleted (0 when it failed).
    @discardableResult
    func purgeOnce() async -> Int {
        do {
            let purged = try await store.purgeExpired()
            if purged > 0 { logger.info("purged \(purged) expired events") }
            return purged
        } catch {
            logger.warning("purging expired events failed: \(error)")
            return 0
        }
    }
}
