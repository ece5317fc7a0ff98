import ArgumentParser
import Dispatch
import Foundation
import LMDBStore
import PurplePagesConfiguration

/// Reads the configuration; an invalid one exits with status 2, naming the file and key.
func loadConfiguration(_ path: String) throws -> RelayConfiguration {
    do {
        let configuration = try RelayConfiguration.load(path: path)
        for key in configuration.unknownKeys { standardError("config: unknown key \(key) is ignored\n") }
        return configuration
    } catch {
        standardError("purplepages-import: \(error)\n")
        throw ExitCode(2)
    }
}

/// Opens the store at `storage.path` (created when absent, unless read-only).
func openStore(
    _ configuration: RelayConfiguration, readOnly: Bool = false, maxBatchEvents: Int = 50_000, maxQueued: Int = 100_000
) throws -> EventStore {
    var storeConfiguration = EventStoreConfiguration(
        path: configuration.storage.path, mapSizeGB: configuration.storage.mapSizeGB, readOnly: readOnly,
        maxQueuedEvents: max(maxQueued, maxBatchEvents), maxBatchEvents: maxBatchEvents)
    storeConfiguration.defaultLimit = configuration.limits.defaultLimit
    do {
        return try EventStore(configuration: storeConfiguration)
    } catch {
        standardError("purplepages-import: cannot open the store \(configuration.storage.path): \(error)\n")
        throw ExitCode(1)
    }
}

/// Writes `text` to standard error.
func standardError(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }

/// Runs `handler` on SIGINT or SIGTERM instead of dying, so an import can stop cleanly.
final class Interrupts {
    private let sources: [any DispatchSourceSignal]

    init(_ handler: @escaping @Sendable () -> Void) {
        sources = [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                standardError("\nstopping after the current batch (every committed batch is kept) ...\n")
                handler()
            }
            source.resume()
            return source
        }
    }

    func cancel() { sources.forEach { $0.cancel() } }
}

/// The process's memory: peak resident, and how much of the resident memory now is the store's
/// memory-mapped file (shared, reclaimable page cache) rather than the process's own.
enum PeakMemory {
    static var report: String {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        func field(_ name: String) -> Int? {
            for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
                return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
            }
            return nil
        }
        var text = "peak RSS \(usage.ru_maxrss / 1024) MB"  // ru_maxrss is in KiB on Linux
        if let anonymous = field("RssAnon"), let file = field("RssFile") {
            text += " (at the end: \(anonymous / 1024) MB own memory, \(file / 1024) MB of mapped store file)"
        }
        return text
    }
}
