import ArgumentParser
import CommandLineSupport
import EventTransfer
import Foundation
import LMDBStore
import Logging
import NostrCore

/// `purplepages-import export [--filter JSON] [-o FILE]`.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the store's events as JSONL (gzip when the file name ends in .gz), oldest stored first."
    )

    /// The store is storage.path.
    @OptionGroup var configurationFile: ConfigurationFileOption

    @Option(help: #"Only events matching this NIP-01 filter, e.g. '{"kinds":[0,3]}' (its limit caps the count)."#)
    var filter: String?

    @Option(name: .shortAndLong, help: "Output file (- or absent: standard output).")
    var output = "-"

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        let logger = try logging.bootstrap(label: "purplepages-import")
        let configuration = try loadConfiguration(configurationFile, logger: logger)
        var parsedFilter: Filter?
        if let filter {
            do {
                parsedFilter = try Filter(json: filter)
            } catch {
                throw ValidationError("--filter: \(error)")
            }
        }
        let store = try openStore(configuration, logger: logger, readOnly: true)
        defer { store.close() }
        let total = (try? store.statistics().totalEvents) ?? 0
        let terminal = isatty(STDERR_FILENO) == 1
        do {
            let file = try OutputFile(path: output)
            let written = try EventExporter.export(store, filter: parsedFilter, to: file) { count in
                let share = total > 0 ? " (\(count * 100 / max(1, total))% of \(total))" : ""
                standardError(
                    (terminal ? "\r\u{1B}[K" : "") + "exported \(count) events\(share)" + (terminal ? "" : "\n"))
            }
            standardError((terminal ? "\n" : "") + "exported \(written) events to \(output)\n")
        } catch {
            logger.error("export failed: \(error)")
            throw ExitCode(1)
        }
    }
}
