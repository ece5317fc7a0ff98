import Logging
import Synchronization

/// The records logged through `logger`, kept in order, from any thread: what a component that
/// takes a `Logger` said, and at which level.
public final class RecordedLogs: Sendable {
    /// One record.
    public struct Record: Sendable, Equatable {
        /// Its level.
        public var level: Logger.Level
        /// Its message.
        public var message: String
    }

    private let records = Mutex<[Record]>([])
    private let level: Logger.Level

    /// Keeps records at `level` and above.
    public init(level: Logger.Level = .trace) { self.level = level }

    /// A logger whose records are kept here.
    public var logger: Logger {
        Logger(label: "test") { _ in Handler(logs: self, logLevel: self.level) }
    }

    /// Every record so far.
    public var all: [Record] { records.withLock { $0 } }

    /// How many records so far hold `text`, at `level` when one is given.
    public func count(containing text: String, at level: Logger.Level? = nil) -> Int {
        all.filter { $0.message.contains(text) && (level == nil || $0.level == level) }.count
    }

    private func append(_ record: Record) { records.withLock { $0.append(record) } }

    private struct Handler: LogHandler {
        let logs: RecordedLogs
        var logLevel: Logger.Level
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) { logs.append(Record(level: event.level, message: "\(event.message)")) }
    }
}
