import ArgumentParser
import CommandLineSupport
import EventTransfer
import Foundation
import LMDBStore
import Logging
import PurplePagesConfiguration

/// `purplepages-import [options] FILE...|-`.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import events from files, standard input (-) or a legacy PostgreSQL event table."
    )

    /// storage.path, allowed_kinds and limits come from it.
    @OptionGroup var configurationFile: ConfigurationFileOption

    @Option(help: "How lines are written: auto (detected per file), jsonl or copy (PostgreSQL COPY text).")
    var format: InputFormat = .auto

    @Option(name: .customLong("from-postgres"), help: "Read the legacy eventstore `event` table of this database URL.")
    var fromPostgres: String?

    @Flag(name: .customLong("no-verify"), help: "Skip signature checks (ids are still checked): trusted dumps only.")
    var noVerify = false

    @Flag(name: .customLong("all-kinds"), help: "Import every kind, not only allowed_kinds.")
    var allKinds = false

    @Flag(help: "Stop at the first rejected line (exit status 1, naming file and line).")
    var strict = false

    @Option(help: "Write each rejected line, with its file, line number and reason, to this file (JSONL).")
    var errors: String?

    @Option(help: "Events per write transaction at most.")
    var batch = 50_000

    @OptionGroup var logging: LoggingOptions

    /// With an analytics database, superseded versions go to `event_history`.
    @OptionGroup var analyticsDatabase: AnalyticsDatabaseOption

    @Argument(help: "Files to import (gzip is detected by its magic bytes); - reads standard input.")
    var files: [String] = []

    func validate() throws {
        guard !files.isEmpty || fromPostgres != nil else {
            throw ValidationError("give files to import (- for standard input) or --from-postgres URL")
        }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
    }

    func run() throws {
        let logger = try logging.bootstrap(label: "purplepages-import")
        var configuration = try loadConfiguration(configurationFile, logger: logger)
        analyticsDatabase.apply(to: &configuration)
        let history = try ImportHistory.open(configuration, logger: logger)
        var options = ImportOptions()
        options.onSuperseded = history?.archive
        options.format = format
        options.verifySignatures = !noVerify
        options.strict = strict
        options.windowLines = min(25_000, batch)
        let policy = EventPolicy(configuration, checkKinds: !allKinds)
        options.policy = { event, now in policy.rejection(of: event, now: now) }
        let store = try openStore(
            configuration, logger: logger, maxBatchEvents: batch,
            maxQueued: (options.windowsInFlight + 1) * options.windowLines, onReplace: history?.archive)
        defer { store.close() }
        let totalBytes = files.allSatisfy { $0 != "-" } ? files.compactMap(Self.size).reduce(0, +) : nil
        let progress = ImportProgress(
            isTerminal: isatty(STDERR_FILENO) == 1, totalBytes: fromPostgres == nil ? totalBytes : nil,
            write: standardError)
        let errorLog = try errors.map { try ImportErrorLog(path: $0) }
        let importer = EventImporter(store: store, options: options, errorLog: errorLog, progress: progress)
        let interrupts = InterruptSignals { _, _ in
            standardError("\nstopping after the current batch (every committed batch is kept) ...\n")
            importer.stop()
        }
        defer { interrupts.cancel() }

        let summary: ImportSummary
        do {
            for file in files where !importer.isStopped {
                try importer.importFile(InputFile(path: file))
            }
            if let fromPostgres, !importer.isStopped {
                try LegacyDatabase.importEvents(from: fromPostgres, into: importer)
            }
            summary = try importer.finish()
        } catch {
            _ = try? importer.finish()
            _ = history?.finish(logger: logger)
            logger.error("import failed: \(error)")
            throw ExitCode(1)
        }
        let historyRecorded = history?.finish(logger: logger) ?? true
        print(summary.report)
        print("  " + ProcessMemory.peakReport)
        if summary.interrupted { throw ExitCode(130) }
        if !historyRecorded { throw ExitCode(1) }
    }

    private static func size(_ path: String) -> Int64? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
    }
}

extension InputFormat: @retroactive ExpressibleByArgument {}
