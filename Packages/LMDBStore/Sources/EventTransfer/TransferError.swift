/// A failure that stops an import or export (bad lines never do, unless `--strict`).
public enum TransferError: Error, Sendable, CustomStringConvertible {
    /// Reading or writing `file` failed.
    case io(file: String, String)
    /// `--strict`: the first rejected line.
    case rejectedLine(file: String, line: Int, reason: String)
    /// The store failed.
    case store(String)

    public var description: String {
        switch self {
        case .io(let file, let message): "\(file): \(message)"
        case .rejectedLine(let file, let line, let reason): "\(file):\(line): \(reason)"
        case .store(let message): "the store failed: \(message)"
        }
    }
}
