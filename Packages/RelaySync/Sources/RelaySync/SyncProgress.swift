/// Progress on standard error while a sync runs: on a terminal one line redrawn in place, otherwise
/// a log line every few seconds.
public final class SyncProgress: @unchecked Sendable {
    private let isTerminal: Bool
    private let write: @Sendable (String) -> Void
    // Updated by the sync's task only, one call at a time.
    private var lastShown = ContinuousClock.now
    private var drewLine = false

    /// Reports to `write` (for example standard error), redrawing one line when `isTerminal`.
    public init(isTerminal: Bool, write: @escaping @Sendable (String) -> Void) {
        self.isTerminal = isTerminal
        self.write = write
    }

    /// Shows `summary` if the last line is old enough.
    public func update(_ summary: SyncSummary) {
        let now = ContinuousClock.now
        if now - lastShown < (isTerminal ? .milliseconds(250) : .seconds(5)) { return }
        lastShown = now
        var text = "\(summary.method?.rawValue ?? "negentropy"): \(summary.rounds) rounds, need \(summary.need), "
        text += "have \(summary.have); down \(summary.received) received, \(summary.stored) stored; "
        text += "up \(summary.sent) sent, \(summary.accepted) accepted"
        if isTerminal {
            write("\r\u{1B}[K" + text)
            drewLine = true
        } else {
            write(text + "\n")
        }
    }

    /// Ends the redrawn line.
    public func finish() {
        if drewLine { write("\n") }
        drewLine = false
    }
}
