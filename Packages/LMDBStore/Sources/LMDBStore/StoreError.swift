/// Why the store could not do what was asked.
public enum StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The store on disk has another schema version.
    case schemaMismatch(path: String, found: UInt32, expected: UInt32)
    /// A read-only store was asked to write.
    case readOnly
    /// The writer's queue is full.
    case overloaded(queued: Int)
    /// The store was closed.
    case closed
    /// A read-only open found no store at the path.
    case missing(path: String)
    /// A stored record could not be read back (corruption).
    case corrupt(String)
    /// More events match than a scan may walk (`maxScanEvents`).
    case tooManyResults(limit: Int)
    /// A copy was asked for into a directory that already holds a store.
    case copyTargetExists(path: String)

    public var description: String {
        switch self {
        case .schemaMismatch(let path, let found, let expected):
            "the event store at \(path) has schema version \(found), this build reads version \(expected)"
        case .readOnly: "the event store is open read-only"
        case .overloaded(let queued): "the event store's write queue is full (\(queued) events waiting)"
        case .closed: "the event store is closed"
        case .missing(let path): "no event store at \(path)"
        case .corrupt(let what): "the event store is corrupt: \(what)"
        case .tooManyResults(let limit): "more than \(limit) events match"
        case .copyTargetExists(let path): "\(path) already holds a store (data.mdb); give an empty directory"
        }
    }
}
