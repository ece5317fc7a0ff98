import Foundation
import Logging

/// The one log format of every PurplePages executable: one line per record,
///
///     2026-12-03T13:11:20.123Z warning purplepages-analytics: message key=value other="two words"
///
/// the time in UTC with milliseconds, the level, the logger's label, the message, then the metadata
/// sorted by key. A record is always one line: a line break in a message is written as `\n`; a
/// value that is empty or holds a space, `"`, `=`, `\` or a line break is quoted, with `"`, `\` and
/// line breaks escaped.
public struct LogLineHandler: LogHandler {
    /// Records below this level are not written.
    public var logLevel: Logger.Level
    /// Metadata written with every record of this handler.
    public var metadata: Logger.Metadata = [:]
    /// More metadata, asked for at each record.
    public var metadataProvider: Logger.MetadataProvider?
    /// The logger's label (the executable's name).
    public let label: String
    private let write: @Sendable (String) -> Void

    /// A handler for the logger `label`, writing each line (with its newline) through `write`:
    /// standard error unless told otherwise.
    public init(
        label: String, logLevel: Logger.Level = .info, metadataProvider: Logger.MetadataProvider? = nil,
        write: @escaping @Sendable (String) -> Void = standardError
    ) {
        self.label = label
        self.logLevel = logLevel
        self.metadataProvider = metadataProvider
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let given = event.metadata { all.merge(given) { $1 } }
        if let error = event.error { all["error"] = "\(error)" }
        write(Self.line(at: Date(), level: event.level, label: label, message: "\(event.message)", metadata: all))
    }

    /// The line (with its newline) for one record.
    public static func line(
        at date: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata = [:]
    ) -> String {
        var line = timestamp(date) + " " + level.rawValue + " " + label + ": " + oneLine(message)
        for key in metadata.keys.sorted() {
            line += " " + key + "=" + quotedIfNeeded(render(metadata[key]!))
        }
        return line + "\n"
    }

    /// `2026-12-03T13:11:20.123Z`: ISO 8601, UTC, milliseconds (truncated, so a line never shows a
    /// time later than it was written).
    public static func timestamp(_ date: Date) -> String {
        // The microsecond added absorbs Date's rounding (it counts from 2001 in a Double, so
        // -0.001 s since 1970 comes back a few nanoseconds early).
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000 + 1e-3).rounded(.down))
        var seconds = time_t(milliseconds.floorDivided(by: 1000))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return digits(parts.tm_year + 1900, 4) + "-" + digits(parts.tm_mon + 1, 2) + "-" + digits(parts.tm_mday, 2)
            + "T" + digits(parts.tm_hour, 2) + ":" + digits(parts.tm_min, 2) + ":" + digits(parts.tm_sec, 2) + "."
            + digits(Int32(milliseconds - milliseconds.floorDivided(by: 1000) * 1000), 3) + "Z"
    }

    private static func render(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): "[" + values.map(render).joined(separator: ",") + "]"
        case .dictionary(let values):
            "{" + values.keys.sorted().map { "\($0):" + render(values[$0]!) }.joined(separator: ",") + "}"
        }
    }

    /// `text` with its line breaks written as `\n` and `\r`.
    private static func oneLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" }) else { return text }
        var line = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            default: line.unicodeScalars.append(scalar)
            }
        }
        return line
    }

    /// `value` as it is, or quoted (`"` and `\` escaped, line breaks as `\n`) when it is empty or holds
    /// a space, `"`, `=`, `\` or a line break.
    private static func quotedIfNeeded(_ value: String) -> String {
        let special: Set<Unicode.Scalar> = [" ", "\"", "=", "\\", "\n", "\r"]
        guard value.isEmpty || value.unicodeScalars.contains(where: special.contains) else { return value }
        var quoted = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\r": quoted += "\\r"
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor < 0) ? quotient - 1 : quotient
    }
}
