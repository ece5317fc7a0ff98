import NostrCore

/// How an input file's lines are written.
public enum InputFormat: String, Sendable, CaseIterable {
    /// Decide from the content (`FormatDetector`).
    case auto
    /// One event JSON per line.
    case jsonl
    /// PostgreSQL COPY text, one column (the migration runbook's export).
    case copy
}

/// Decides whether a file is plain JSONL or COPY text, from its first line where the two differ.
///
/// They differ only on lines holding a backslash (COPY doubles every one) or a tab. On such a
/// line the reading under which the event's id checks out wins; failing that, the one that parses
/// at all. Until a line decides, lines are read as JSONL (identical either way).
struct FormatDetector {
    private(set) var decided: InputFormat

    init(_ format: InputFormat) { decided = format }

    /// The format to read `line` with, deciding the file's format when `line` can.
    mutating func format(for line: [UInt8]) -> InputFormat {
        guard decided == .auto else { return decided }
        guard line.contains(UInt8(ascii: "\\")) || line.contains(UInt8(ascii: "\t")) else { return .jsonl }
        let plain = Self.reading(line)
        let copy = (try? CopyText.decode(line)).map(Self.reading) ?? .unparsable
        switch (plain, copy) {
        case (.validID, .validID), (.validID, _): decided = .jsonl
        case (_, .validID): decided = .copy
        case (.parses, .unparsable): decided = .jsonl
        case (.unparsable, .parses): decided = .copy
        default: return .jsonl
        }
        return decided
    }

    private enum Reading { case validID, parses, unparsable }

    private static func reading(_ bytes: [UInt8]) -> Reading {
        guard let event = try? Event(json: bytes) else { return .unparsable }
        return (try? event.validate(verifySignature: false)) == nil ? .parses : .validID
    }
}
