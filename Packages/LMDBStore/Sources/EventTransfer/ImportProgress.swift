/// Progress on standard error: on a terminal a live bar (percentage and ETA when the input's size
/// is known), otherwise a log line every few seconds.
public final class ImportProgress {
    /// Bytes the inputs hold, when known (regular files).
    public let totalBytes: Int64?
    private let isTerminal: Bool
    private let write: (String) -> Void
    private var lastShown: ContinuousClock.Instant
    private var drewBar = false

    /// Reports to `write` (for example standard error) as a bar when `isTerminal`.
    public init(isTerminal: Bool, totalBytes: Int64?, write: @escaping (String) -> Void) {
        self.isTerminal = isTerminal
        self.totalBytes = totalBytes
        self.write = write
        lastShown = .now
    }

    func update(_ summary: ImportSummary, totalBytes: Int64?, elapsed: Duration) {
        let now = ContinuousClock.now
        if now - lastShown < (isTerminal ? .milliseconds(250) : .seconds(5)) { return }
        lastShown = now
        let seconds = max(elapsed.seconds, 0.001)
        let rate = Double(summary.linesRead) / seconds
        let megabytes = Double(summary.bytesRead) / 1_000_000
        var text =
            "\(summary.linesRead) lines, \(summary.imported) imported, \(Int(rate)) lines/s, "
            + "\(String(format1: megabytes)) MB read"
        var fraction: Double?
        if let totalBytes, totalBytes > 0 {
            let done = min(1, Double(summary.bytesRead) / Double(totalBytes))
            fraction = done
            let remaining = done > 0 ? seconds * (1 - done) / done : 0
            text += " of \(String(format1: Double(totalBytes) / 1_000_000)) MB, ETA \(Self.clock(remaining))"
        }
        if isTerminal {
            let width = 24
            let filled = Int((fraction ?? 0) * Double(width))
            let bar = fraction.map {
                "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
                    + String(format1: $0 * 100) + "% "
            }
            write("\r\u{1B}[K" + (bar ?? "") + text)
            drewBar = true
        } else {
            write(text + "\n")
        }
    }

    /// Ends the bar's line.
    func finish() {
        if drewBar { write("\n") }
    }

    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600
            ? "\(total / 3600)h\(pad2((total % 3600) / 60))m" : "\(total / 60)m\(pad2(total % 60))s"
    }

    private static func pad2(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
