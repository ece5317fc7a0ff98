import Foundation
import LMDBStore
import LMDBStoreTesting
import NostrCore
import NostrCoreTesting
import Testing

/// The store's single writer run by the caller (`WriterThread.external`), as the relay's service
/// group runs it.
@Suite("Event store: a writer run by the caller")
struct WriterThreadTests {
    private static let corpus = CorpusGenerator(pubkeys: 4, seed: 77)

    @Test func savesWaitForTheWriterThenCommitOnceItRuns() async throws {
        let temporary = try TemporaryStore { $0.writerThread = .external }
        let store = temporary.store
        let events = Self.corpus.events(forPubkey: 0)
        let outcomes = Task { try await store.save(events) }
        // Nothing runs the writer yet: the save waits in the queue.
        try await Task.sleep(for: .milliseconds(200))
        #expect(store.queuedEvents == events.count)
        #expect(try store.statistics().totalEvents == 0)
        let writer = Thread { store.runWriter() }
        writer.start()
        #expect(try await outcomes.value.allSatisfy(\.isStored))
        #expect(try store.statistics().totalEvents == events.count)
        store.close()
        await #expect(throws: StoreError.closed) { _ = try await store.save(Self.corpus.events(forPubkey: 1)) }
    }

    @Test func requestWriterStopCommitsWhatIsQueuedThenRunWriterReturns() throws {
        let temporary = try TemporaryStore { $0.writerThread = .external }
        let store = temporary.store
        let events = Self.corpus.events(forPubkey: 1)
        let done = DispatchSemaphore(value: 0)
        store.save(events) { _ in done.signal() }
        store.requestWriterStop()
        // The stop was asked before the writer ran: it still commits the queue, then returns.
        store.runWriter()
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(try store.statistics().totalEvents == events.count)
        // There is one writer: running it again does nothing and returns.
        store.runWriter()
        store.close()
    }

    @Test func closeDrainsTheQueueWhenTheWriterNeverRan() throws {
        let temporary = try TemporaryStore { $0.writerThread = .external }
        let store = temporary.store
        let events = Self.corpus.events(forPubkey: 2)
        let saved = DispatchSemaphore(value: 0)
        store.save(events) { result in
            if case .success(let outcomes) = result, outcomes.allSatisfy({ $0.outcome.isStored }) { saved.signal() }
        }
        store.close()
        #expect(saved.wait(timeout: .now() + 5) == .success)
        // Reads go on after close: the commit is there.
        #expect(try store.statistics().totalEvents == events.count)
    }

    @Test func ownWriterIgnoresRunWriter() async throws {
        let temporary = try TemporaryStore()
        // The store runs its own writer; a caller's runWriter() returns at once.
        temporary.store.runWriter()
        #expect(try await temporary.store.save(Self.corpus.events(forPubkey: 3)).allSatisfy(\.isStored))
    }
}
