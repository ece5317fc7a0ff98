#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The standard `process_*` metrics (the names every Prometheus client library uses, so stock
/// dashboards and alerts work): CPU time, resident and virtual memory, open and maximum file
/// descriptors, start time. Read from `/proc/self` at each scrape and written as text after the
/// registry's metrics, since a counter read from the kernel is not something to increment. Where
/// `/proc` does not exist, the metrics are left out.
struct ProcessMetrics: Sendable {
    private let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    private let pageSize = sysconf(Int32(_SC_PAGESIZE))
    /// When the machine booted (`btime` of `/proc/stat`), the origin of `/proc/self/stat`'s start time.
    private let bootTime: Int? = ProcFiles.lines("/proc/stat")?.lazy.compactMap { line -> Int? in
        line.hasPrefix("btime ") ? Int(line.dropFirst(6)) : nil
    }.first

    /// Appends the exposition of every metric that could be read.
    func emit(into output: inout [UInt8]) {
        if let stat = Self.statFields() {
            // Fields counted from 3 (`state`), after the command name in parentheses: utime 14,
            // stime 15, starttime 22, vsize 23, rss 24 (proc(5)).
            func field(_ number: Int) -> Double? { stat.count > number - 3 ? Double(stat[number - 3]) : nil }
            if let user = field(14), let system = field(15), ticksPerSecond > 0 {
                Self.write(
                    "process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.",
                    (user + system) / ticksPerSecond, into: &output)
            }
            if let started = field(22), let bootTime, ticksPerSecond > 0 {
                Self.write(
                    "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.",
                    Double(bootTime) + started / ticksPerSecond, into: &output)
            }
            if let virtual = field(23) {
                Self.write(
                    "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", virtual, into: &output)
            }
            if let pages = field(24) {
                Self.write(
                    "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
                    pages * Double(pageSize), into: &output)
            }
        }
        // The directory listing holds a descriptor of its own while it is read.
        if let open = ProcFiles.entryCount("/proc/self/fd") {
            Self.write(
                "process_open_fds", "gauge", "Number of open file descriptors.", Double(max(0, open - 1)),
                into: &output)
        }
        if let limit = Self.maxOpenFiles() {
            Self.write(
                "process_max_fds", "gauge", "Maximum number of open file descriptors.", Double(limit), into: &output)
        }
    }

    /// `/proc/self/stat` from field 3 on (the command name may hold spaces and parentheses, so the
    /// fields start after its last `)`).
    private static func statFields() -> [Substring]? {
        guard let bytes = ProcFiles.contents("/proc/self/stat"),
            let close = bytes.lastIndex(of: UInt8(ascii: ")"))
        else { return nil }
        return String(decoding: bytes[(close + 1)...], as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
    }

    /// The soft limit on open files (what `/proc/self/limits` calls "Max open files").
    private static func maxOpenFiles() -> Int? {
        var limit = rlimit()
        #if canImport(Glibc)
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        #else
        guard getrlimit(RLIMIT_NOFILE, &limit) == 0 else { return nil }
        #endif
        return limit.rlim_cur >= rlim_t(Int.max) ? Int.max : Int(limit.rlim_cur)
    }

    private static func write(
        _ name: String, _ type: String, _ help: String, _ value: Double, into output: inout [UInt8]
    ) {
        let text = value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        output += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(text)\n".utf8
    }
}
