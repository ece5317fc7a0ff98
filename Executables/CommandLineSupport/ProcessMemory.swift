import Foundation

/// A process's memory as Linux reports it in `/proc/PID/status`.
public struct ProcessMemory: Sendable, Hashable {
    /// Peak resident memory (`VmHWM`), in KiB. Unlike `getrusage`'s `ru_maxrss`, it is the
    /// process's own: a parent's peak is not carried over into a child that `exec`s.
    public var peakResidentKiB: Int
    /// Resident memory now (`VmRSS`), in KiB.
    public var residentKiB: Int
    /// Of it, the process's own memory (`RssAnon`), in KiB.
    public var anonymousKiB: Int
    /// Of it, pages of mapped files (`RssFile`: the LMDB store's map), in KiB.
    public var fileKiB: Int

    /// The memory of process `pid` (this process by default); nil once it has exited.
    public static func read(pid: Int32? = nil) -> ProcessMemory? {
        let path = pid.map { "/proc/\($0)/status" } ?? "/proc/self/status"
        guard let status = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let fields = kibFields(status)
        // A process that has exited (a zombie) has no memory fields left.
        guard let peak = fields["VmHWM"] else { return nil }
        return ProcessMemory(
            peakResidentKiB: peak, residentKiB: fields["VmRSS"] ?? 0, anonymousKiB: fields["RssAnon"] ?? 0,
            fileKiB: fields["RssFile"] ?? 0)
    }

    /// The `Name:   123 kB` fields of a /proc status file, in KiB.
    static func kibFields(_ status: String) -> [String: Int] {
        var fields: [String: Int] = [:]
        for line in status.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let words = line[line.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\t" })
            if words.count == 2, words[1] == "kB", let value = Int(words[0]) { fields[String(line[..<colon])] = value }
        }
        return fields
    }

    /// This process's peak, and how much of its resident memory now is its own rather than
    /// mapped files: `peak RSS 812 MB (now: 640 MB own, 120 MB mapped files)`.
    public static var peakReport: String {
        guard let memory = read() else { return "peak RSS unknown (no /proc/self/status)" }
        return "peak RSS \(memory.peakResidentKiB / 1024) MB (now: \(memory.anonymousKiB / 1024) MB own, "
            + "\(memory.fileKiB / 1024) MB mapped files)"
    }
}
