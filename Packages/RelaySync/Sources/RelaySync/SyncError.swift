/// Why a sync stopped before it finished. What it had done by then is still in its summary, and
/// the store holds only whole, valid events (each save is one transaction).
public enum SyncError: Error, Sendable, Equatable, CustomStringConvertible {
    /// More events match the filter than `SyncOptions.maxItems` on one side.
    case tooManyItems(side: String, limit: Int)
    /// The remote broke the protocol (a malformed negentropy message, say).
    case protocolViolation(String)
    /// The remote refused or ended what the sync asked for.
    case remoteRefused(String)
    /// The remote stopped answering, or the connection ended.
    case connectionLost(String)
    /// The local store could not save or read events.
    case storeFailed(String)

    /// What happened, for the summary and the log.
    public var description: String {
        switch self {
        case .tooManyItems(let side, let limit): "more than \(limit) events match on the \(side) side"
        case .protocolViolation(let text): "the remote broke the protocol: \(text)"
        case .remoteRefused(let text): "the remote refused: \(text)"
        case .connectionLost(let text): "the connection was lost: \(text)"
        case .storeFailed(let text): "the local store failed: \(text)"
        }
    }
}
