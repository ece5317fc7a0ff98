import LMDBStore
import PGAnalytics

/// The tracking flusher's `run()` / `requestStop()` are a background loop as they stand.
extension TrackingFlusher: BackgroundLoop {}

/// The event store's single writer, run by the relay's service group
/// (`EventStoreConfiguration.WriterThread.external`).
struct StoreWriterLoop: BackgroundLoop {
    /// The store whose writer this is.
    let store: EventStore

    func run() { store.runWriter() }
    func requestStop() { store.requestWriterStop() }
}
