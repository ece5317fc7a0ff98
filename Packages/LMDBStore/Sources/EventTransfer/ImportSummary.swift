import NostrCore

/// What an import did, counted as it goes.
public struct ImportSummary: Sendable {
    /// Lines read from every input (blank ones included).
    public var linesRead = 0
    /// Blank lines, skipped.
    public var blankLines = 0
    /// Events new to the store (including those that replaced an older version).
    public var imported = 0
    /// Of `imported`, events that replaced an older version of the same replaceable or address.
    public var replacedOlder = 0
    /// Events already stored.
    public var duplicates = 0
    /// Replaceable events older than the version stored (the newest wins whatever the order).
    public var olderThanStored = 0
    /// Events their author had deleted (NIP-09).
    public var deleted = 0
    /// Events whose NIP-40 expiration has passed.
    public var expired = 0
    /// Ephemeral events (never stored).
    public var ephemeral = 0
    /// Events of kinds the configuration does not allow.
    public var rejectedKinds = 0
    /// Rejected lines by reason (numbers left out, so similar reasons add up).
    public var invalid: [String: Int] = [:]
    /// Bytes read from the inputs (compressed bytes for gzip).
    public var bytesRead: Int64 = 0
    /// Seconds from start to the last commit.
    public var seconds = 0.0
    /// Whether Ctrl-C stopped the import early (every committed batch is kept).
    public var interrupted = false

    /// Lines rejected before reaching the store.
    public var invalidCount: Int { invalid.values.reduce(0, +) }

    /// Counts a rejection.
    mutating func reject(_ reason: Reason) {
        if reason.prefix == .blocked && reason.message.hasPrefix("kind ") {
            rejectedKinds += 1
        } else {
            invalid[Self.category(reason), default: 0] += 1
        }
    }

    /// Counts what the store did with an event.
    mutating func record(_ outcome: SaveOutcomeCount) {
        imported += outcome.stored + outcome.replaced
        replacedOlder += outcome.replaced
        duplicates += outcome.duplicates
        olderThanStored += outcome.older
        deleted += outcome.deleted
        expired += outcome.expired
        ephemeral += outcome.ephemeral
    }

    /// `invalid: too many tags` for `invalid: too many tags: 2100 (max 2000)`.
    static func category(_ reason: Reason) -> String {
        var message = Substring(reason.message)
        if let cut = message.firstIndex(where: { $0 == ":" || $0 == "(" }) { message = message[..<cut] }
        while message.last == " " { message = message.dropLast() }
        return "\(reason.prefix.rawValue): \(message)"
    }

    /// The human summary printed at the end.
    public var report: String {
        let rate = seconds > 0 ? Double(imported + duplicates + olderThanStored) / seconds : 0
        var lines = [
            interrupted ? "import interrupted (every committed batch is kept):" : "import finished:",
            "  lines read          \(linesRead)" + (blankLines > 0 ? " (\(blankLines) blank)" : ""),
            "  imported            \(imported)"
                + (replacedOlder > 0 ? " (\(replacedOlder) replaced an older version)" : ""),
            "  duplicates          \(duplicates)",
            "  older than stored   \(olderThanStored)",
            "  deleted by author   \(deleted)",
            "  expired             \(expired)",
            "  rejected kinds      \(rejectedKinds)",
            "  invalid             \(invalidCount)",
        ]
        if ephemeral > 0 { lines.append("  ephemeral (skipped) \(ephemeral)") }
        for (reason, count) in invalid.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) {
            lines.append("    \(count)  \(reason)")
        }
        lines.append(
            "  \(bytesRead / 1_000_000) MB in \(String(format1: seconds)) s: \(Int(rate)) events/s")
        return lines.joined(separator: "\n")
    }
}

/// Outcomes of one committed batch, tallied on the writer's thread.
struct SaveOutcomeCount: Sendable {
    var stored = 0, replaced = 0, duplicates = 0, older = 0, deleted = 0, expired = 0, ephemeral = 0
}

extension String {
    /// `value` with one decimal.
    init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(abs(tenths % 10))"
    }
}
