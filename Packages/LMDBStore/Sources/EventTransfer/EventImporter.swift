import Dispatch
import Foundation
import LMDBStore
import NostrCore
import Synchronization

/// Imports events in bulk: lines are parsed and verified a window at a time on every core, then
/// handed to the store's single writer in file order, so the store's rules (the newest version
/// of a replaceable wins, deletions leave tombstones) hold whatever order the file is in.
///
/// Driven from one thread (`importFile`, `importLines`, then `finish`); `stop` may be called from
/// any thread (Ctrl-C) and ends the import after the current window, keeping every committed batch.
public final class EventImporter: @unchecked Sendable {
    private let store: EventStore
    private let options: ImportOptions
    private let errorLog: ImportErrorLog?
    private let progress: ImportProgress?
    private let keyCache = PublicKeyCache()
    private let committed = Mutex(CommitState())
    private let windowSlots: DispatchSemaphore
    private let pending = DispatchGroup()
    private let stopRequested = Atomic<Bool>(false)
    private let started = ContinuousClock.now
    private var summary = ImportSummary()
    private var bytesBeforeCurrentFile: Int64 = 0
    private var window: [PendingLine] = []
    private var windowBytes = 0

    private struct CommitState {
        var outcomes = SaveOutcomeCount()
        var failure: String?
    }

    /// A line waiting for its window, with how to read it.
    struct PendingLine: Sendable {
        var bytes: [UInt8]
        var number: Int
        var format: InputFormat
        /// Set for a line too long to keep: its length.
        var tooLongBytes: Int? = nil
    }

    /// What checking a line found.
    enum LineResult: Sendable {
        case event(Event)
        case rejected(Reason)
        case blank
        case endOfData
    }

    /// An importer writing into `store`.
    public init(
        store: EventStore, options: ImportOptions, errorLog: ImportErrorLog? = nil, progress: ImportProgress? = nil
    ) {
        self.store = store
        self.options = options
        self.errorLog = errorLog
        self.progress = progress
        windowSlots = DispatchSemaphore(value: max(1, options.windowsInFlight))
    }

    /// Ends the import after the window being read (safe from a signal handler's queue).
    public func stop() { stopRequested.store(true, ordering: .relaxed) }

    /// Whether `stop` was called.
    public var isStopped: Bool { stopRequested.load(ordering: .relaxed) }

    /// Imports every line of `file`.
    public func importFile(_ file: InputFile) throws(TransferError) {
        var splitter = LineSplitter(maxLineBytes: options.maxLineBytes)
        var detector = FormatDetector(options.format)
        var ended = false
        let take: (LineSplitter.Line) throws(TransferError) -> Void = { line throws(TransferError) in
            guard !ended else { return }
            switch line {
            case .text(let bytes, let number):
                try self.add(PendingLine(bytes: bytes, number: number, format: detector.format(for: bytes)), file.name)
                if self.window.count >= self.options.windowLines || self.windowBytes >= self.options.windowBytes {
                    ended = try self.processWindow(source: file.name)
                    self.reportProgress(file)
                }
            case .tooLong(let number, let bytes):
                // Rejected in its place among the other lines (strict mode names the first bad one).
                try self.add(PendingLine(bytes: [], number: number, format: .jsonl, tooLongBytes: bytes), file.name)
            }
        }
        do {
            while !ended, !isStopped, try file.read({ chunk in try splitter.split(chunk, take) }) {}
            if !ended && !isStopped { try splitter.finish(take) }
            if !ended { _ = try processWindow(source: file.name) }
        } catch let error as TransferError {
            throw error
        } catch {
            throw TransferError.io(file: file.name, "\(error)")
        }
        bytesBeforeCurrentFile += file.bytesRead
        summary.bytesRead = bytesBeforeCurrentFile
        reportProgress(nil)
    }

    /// Imports lines produced by `produce` (for example rows of a legacy database rendered as
    /// event JSON), numbered from 1 under the name `source`. `produce` calls `emit` per line and
    /// stops when it returns false.
    public func importLines(
        from source: String, _ produce: (_ emit: ([UInt8]) throws -> Bool) throws -> Void
    ) throws {
        var number = 0
        try produce { bytes in
            number += 1
            try self.add(PendingLine(bytes: bytes, number: number, format: .jsonl), source)
            if self.window.count >= self.options.windowLines || self.windowBytes >= self.options.windowBytes {
                _ = try self.processWindow(source: source)
                self.reportProgress(nil)
            }
            return !self.isStopped
        }
        _ = try processWindow(source: source)
        reportProgress(nil)
    }

    /// Waits for every batch to commit and returns the summary.
    public func finish() throws(TransferError) -> ImportSummary {
        pending.wait()
        try errorLog?.flush()
        let state = committed.withLock { $0 }
        if let failure = state.failure { throw TransferError.store(failure) }
        summary.record(state.outcomes)
        summary.seconds = (ContinuousClock.now - started).seconds
        summary.interrupted = isStopped
        progress?.finish()
        return summary
    }

    // MARK: Windows

    private func add(_ line: PendingLine, _ source: String) throws(TransferError) {
        summary.linesRead += 1
        window.append(line)
        windowBytes += line.bytes.count
    }

    /// Checks the window on every core, records rejections, and queues its events for the store.
    /// Returns true when the input said its data ended (COPY's `\.`).
    private func processWindow(source: String) throws(TransferError) -> Bool {
        guard !window.isEmpty else { return false }
        let lines = window
        window = []
        windowBytes = 0
        let results = Self.check(lines, options: options, keyCache: keyCache)
        var events: [Event] = []
        events.reserveCapacity(lines.count)
        var endOfData = false
        for (line, result) in zip(lines, results) where !endOfData {
            switch result {
            case .event(let event): events.append(event)
            case .blank: summary.blankLines += 1
            case .endOfData: endOfData = true
            case .rejected(let reason):
                if options.strict {
                    try submit(events)
                    pending.wait()
                    throw TransferError.rejectedLine(file: source, line: line.number, reason: reason.description)
                }
                try reject(reason, source, line.number, line.bytes)
            }
        }
        try submit(events)
        return endOfData
    }

    private func reject(_ reason: Reason, _ source: String, _ line: Int, _ bytes: [UInt8]) throws(TransferError) {
        if options.strict { throw TransferError.rejectedLine(file: source, line: line, reason: reason.description) }
        summary.reject(reason)
        try errorLog?.record(file: source, line: line, reason: reason, text: bytes)
    }

    /// Hands `events` to the writer once fewer than `windowsInFlight` batches are uncommitted.
    private func submit(_ events: [Event]) throws(TransferError) {
        if let failure = committed.withLock({ $0.failure }) { throw TransferError.store(failure) }
        guard !events.isEmpty else { return }
        windowSlots.wait()
        pending.enter()
        store.save(events) { [onSuperseded = options.onSuperseded] result in
            if let onSuperseded, case .success(let saved) = result {
                for (event, outcome) in zip(events, saved) where outcome.outcome == .rejectedOlder {
                    onSuperseded(event)
                }
            }
            self.committed.withLock { state in
                switch result {
                case .success(let saved):
                    for event in saved {
                        switch event.outcome {
                        case .stored: state.outcomes.stored += 1
                        case .replaced: state.outcomes.replaced += 1
                        case .duplicate: state.outcomes.duplicates += 1
                        case .rejectedOlder: state.outcomes.older += 1
                        case .deleted: state.outcomes.deleted += 1
                        case .expired: state.outcomes.expired += 1
                        case .ephemeral: state.outcomes.ephemeral += 1
                        }
                    }
                case .failure(let error):
                    state.failure = state.failure ?? "\(error)"
                }
            }
            self.windowSlots.signal()
            self.pending.leave()
        }
    }

    private func reportProgress(_ file: InputFile?) {
        guard let progress else { return }
        var snapshot = summary
        snapshot.record(committed.withLock { $0.outcomes })
        snapshot.bytesRead = bytesBeforeCurrentFile + (file?.bytesRead ?? 0)
        progress.update(snapshot, totalBytes: progress.totalBytes, elapsed: ContinuousClock.now - started)
    }

    // MARK: Checking lines (every core)

    /// Checks `lines` in parallel; results are in line order.
    static func check(_ lines: [PendingLine], options: ImportOptions, keyCache: PublicKeyCache) -> [LineResult] {
        let results = ResultSlots(count: lines.count)
        let now = options.now()
        let slices = min(lines.count, max(1, ProcessInfo.processInfo.activeProcessorCount * 4))
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
            var index = slice
            while index < lines.count {
                results.set(index, check(lines[index], options: options, keyCache: keyCache, now: now))
                index += slices
            }
        }
        return results.values()
    }

    static func check(_ line: PendingLine, options: ImportOptions, keyCache: PublicKeyCache, now: Int64) -> LineResult {
        if let length = line.tooLongBytes {
            return .rejected(.invalid("line too long: \(length) bytes (max \(options.maxLineBytes))"))
        }
        var json = line.bytes
        if json.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return .blank }
        if line.format == .copy {
            if json == CopyText.endMarker { return .endOfData }
            do {
                json = try CopyText.decode(json)
            } catch {
                switch error {
                case .null: return .rejected(.invalid("a NULL value (\\N) is not an event"))
                case .severalColumns: return .rejected(.invalid("several columns (tab-separated); expected one"))
                case .trailingBackslash: return .rejected(.invalid("a COPY line may not end with a lone backslash"))
                }
            }
        }
        let event: Event
        do {
            event = try Event(json: json)
            try event.validate(verifySignature: options.verifySignatures, keyCache: keyCache)
        } catch let error as EventParseError {
            return .rejected(error.reason)
        } catch let error as EventValidationError {
            return .rejected(error.reason)
        } catch {
            return .rejected(.invalid("\(error)"))
        }
        if let reason = options.policy(event, now) { return .rejected(reason) }
        return .event(event)
    }
}

/// Result slots written by many threads, each index by one thread only (raw memory: an array
/// property would be an exclusivity violation under concurrent writes).
private final class ResultSlots: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<EventImporter.LineResult>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: .blank)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    func set(_ index: Int, _ value: EventImporter.LineResult) { slots[index] = value }

    func values() -> [EventImporter.LineResult] { Array(slots) }
}
