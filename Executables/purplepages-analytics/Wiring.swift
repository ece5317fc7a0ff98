import AnalyticsWorker
import ArgumentParser
import Dispatch
import Foundation
import PurplePagesConfiguration

/// Reads the configuration; an invalid one exits with status 2, naming the file and key.
func loadConfiguration(_ path: String) throws -> RelayConfiguration {
    do {
        let configuration = try RelayConfiguration.load(path: path)
        for key in configuration.unknownKeys { logLine("config: unknown key \(key) is ignored") }
        return configuration
    } catch {
        standardError("purplepages-analytics: \(error)\n")
        throw ExitCode(2)
    }
}

/// Writes `text` to standard error.
func standardError(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }

/// One timestamped log line on standard error.
@Sendable func logLine(_ text: String) {
    standardError("\(Date().formatted(.iso8601)) \(text)\n")
}

/// Lowers the process's CPU priority so that a pass yields the cores to the relay: niceness
/// `nice`, and the batch scheduling class (a CPU-bound process that never preempts a waking one).
func lowerPriority(to nice: Int) {
    if setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Int32(nice)) != 0 {
        logLine("analytics: could not set niceness \(nice): \(String(cString: strerror(errno)))")
    }
    var parameters = sched_param()
    parameters.sched_priority = 0
    if sched_setscheduler(0, 3, &parameters) != 0 {  // 3 = SCHED_BATCH (not exported by Glibc)
        logLine("analytics: could not use SCHED_BATCH: \(String(cString: strerror(errno)))")
    }
}

/// SIGTERM and SIGINT request a stop between jobs; a second one exits at once.
final class StopSignals {
    private let sources: [any DispatchSourceSignal]

    init(_ stop: StopSignal) {
        sources = [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                if stop.isStopped {
                    logLine("analytics: second signal: exiting now")
                    exit(128 + signalNumber)
                }
                logLine("analytics: stopping after the current job")
                stop.stop()
            }
            source.resume()
            return source
        }
    }

    func cancel() { sources.forEach { $0.cancel() } }
}

/// Peak resident memory (`VmHWM`: `ru_maxrss` would include a parent's peak carried over), and
/// how much of the resident memory now is the process's own rather than mapped files.
enum PeakMemory {
    static var report: String {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        func field(_ name: String) -> Int? {
            for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
                return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
            }
            return nil
        }
        var text = "peak RSS \((field("VmHWM") ?? 0) / 1024) MB"
        if let anonymous = field("RssAnon"), let file = field("RssFile") {
            text += " (now: \(anonymous / 1024) MB own, \(file / 1024) MB mapped files)"
        }
        return text
    }
}
