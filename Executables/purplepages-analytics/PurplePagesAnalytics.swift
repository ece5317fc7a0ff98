import AnalyticsWorker
import ArgumentParser
import CommandLineSupport
import Foundation
import Logging

/// `purplepages-analytics`: the analytics worker. Reads the event store read-only, computes
/// follower counts, trust and PageRank, bot clusters, spam candidates and communities, and
/// replaces their tables in the analytics database.
@main
struct PurplePagesAnalytics: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purplepages-analytics",
        abstract: "Runs the analytics jobs over the follow graph and writes their results to PostgreSQL.",
        discussion: """
            Without --once, runs a full pass every analytics.interval_minutes (default 60) until SIGTERM or
            SIGINT, which stop it between two jobs (a second signal stops it at once; the job in hand
            then writes nothing). Exit status: 0 ok, 1 a pass or job failed, 2 usage or configuration error.
            """,
        version: PurplePagesVersion.description)

    static func main() { runAsMain() }

    @OptionGroup var configurationFile: ConfigurationFileOption

    @Flag(name: .long, help: "Run every job once, then exit.")
    var once = false

    @Option(
        name: .long, help: "Time between passes: 90s, 15m, 1h, 1d or minutes (overrides analytics.interval_minutes).")
    var interval: String?

    @OptionGroup var analyticsDatabase: AnalyticsDatabaseOption

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        let logger = try logging.bootstrap(label: "purplepages-analytics")
        var configuration = try configurationFile.load(tool: "purplepages-analytics")
        for warning in configuration.warnings { logger.warning("\(warning)") }
        analyticsDatabase.apply(to: &configuration)
        var intervalSeconds = Double(configuration.analytics.worker.intervalMinutes * 60)
        if let interval {
            guard let seconds = AnalyticsWorker.parseInterval(interval) else {
                standardError(
                    "purplepages-analytics: --interval: not a duration like 90s, 15m or 1h: \"\(interval)\"\n")
                throw ExitCode(2)
            }
            intervalSeconds = seconds
        }
        guard !configuration.storage.analyticsDatabaseURL.isEmpty else {
            standardError("purplepages-analytics: storage.analytics_db_url is empty: the worker writes to PostgreSQL\n")
            throw ExitCode(2)
        }
        ProcessPriority.lower(to: configuration.analytics.worker.nice, logger: logger)
        let stop = StopSignal()
        let signals = InterruptSignals { signal, count in
            if count > 1 {
                logger.warning("second signal: exiting now")
                Foundation.exit(128 + signal)
            }
            logger.notice("stopping after the current job")
            stop.stop()
        }
        defer { signals.cancel() }
        let worker = AnalyticsWorker(configuration: configuration, logger: logger)
        if once {
            let report: PassReport
            do {
                report = try worker.runPass(stop: stop)
            } catch {
                logger.error("pass failed: \(error)")
                throw ExitCode(1)
            }
            logger.info("\(ProcessMemory.peakReport)")
            if !report.succeeded { throw ExitCode(1) }
        } else {
            logger.info("a pass every \(Int(intervalSeconds)) s; store \(configuration.storage.path)")
            worker.runForever(intervalSeconds: intervalSeconds, stop: stop)
        }
    }
}
