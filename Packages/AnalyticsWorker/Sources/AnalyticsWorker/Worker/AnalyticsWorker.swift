import Foundation
import LMDBStore
import Logging
import PGAnalytics
import PurplePagesConfiguration
import Synchronization

/// The analytics worker: full passes over the follow graph, each job's results replacing the
/// previous ones in PostgreSQL.
///
/// A pass migrates the analytics database (the worker may start before the relay ever ran), opens
/// the event store read-only (the relay's writer never waits for it), loads the follow graph and
/// runs the jobs in order: follower counts, trust and PageRank, bot clusters, spam candidates,
/// communities. Each job's tables are replaced in one transaction, so readers never see half a
/// result; a failed job leaves its previous results and the pass goes on. A stop request is
/// honoured between jobs.
public struct AnalyticsWorker: Sendable {
    /// The jobs of a pass, in order: later ones use earlier ones' results.
    static let jobs: [any AnalyticsJob] = [
        FollowerCountsJob(), TrustJob(), BotClusterJob(), SpamCandidatesJob(), CommunitiesJob(),
    ]
    /// Job runs older than this are deleted from `analytics_job_runs`.
    static let jobRunRetentionDays = 90

    private let configuration: RelayConfiguration
    let logger: Logger

    /// A worker for the store and database `configuration` names, logging through `logger`: each
    /// step at info, failures at error or warning, what it opens and applies at debug.
    public init(configuration: RelayConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs one full pass. Throws when the database or the store cannot be opened or migrated;
    /// job failures are in the report.
    public func runPass(stop: StopSignal = StopSignal()) throws -> PassReport {
        let passStart = ContinuousClock.now
        var report = PassReport()
        let database = try PostgresConnection(url: configuration.storage.analyticsDatabaseURL)
        defer { database.close() }
        let applied = try AnalyticsSchema.migrate(database)
        if applied.isEmpty {
            logger.debug("analytics database schema up to date")
        } else {
            logger.info("analytics database: applied migrations \(applied)")
        }
        lowerBackendPriority(database)
        let store = try EventStore(configuration: configuration.eventStore(readOnly: true))
        defer { store.close() }
        logger.debug("store opened read-only: \(configuration.storage.path)")

        let loadStart = ContinuousClock.now
        guard let graph = try FollowGraphLoader(store: store).load(shouldStop: { stop.isStopped }) else {
            report.stopped = true
            logger.info("stopped while loading the follow graph")
            return report
        }
        report.loadSeconds = loadStart.secondsSince
        report.graph = graph.statistics
        let (follows, lists, mutes) = (graph.graph.edgeCount, graph.statistics.followLists, graph.statistics.muteLists)
        logger.info(
            """
            follow graph loaded in \(format(report.loadSeconds)): \(graph.nodeCount) pubkeys, \
            \(follows) follows from \(lists) lists, \(mutes) mute lists
            """)

        var pass = AnalyticsPass(
            graph: graph, configuration: configuration.analytics.worker, relayPubkey: configuration.identity.pubkey)
        for job in Self.jobs {
            if stop.isStopped {
                report.stopped = true
                logger.info("stop requested; the pass ends before \(job.name)")
                break
            }
            let jobReport = run(job, &pass, database: database)
            report.jobs.append(jobReport)
        }
        report.totalSeconds = passStart.secondsSince
        if report.succeeded {
            logger.info("pass done in \(format(report.totalSeconds))")
        } else {
            logger.warning("pass done in \(format(report.totalSeconds)) with failures")
        }
        return report
    }

    /// Computes `job`, then replaces its tables and records the run, in one transaction.
    private func run(_ job: any AnalyticsJob, _ pass: inout AnalyticsPass, database: PostgresConnection) -> JobReport {
        let started = Date()
        let computeStart = ContinuousClock.now
        var report = JobReport(name: job.name, details: "", computeSeconds: 0, writeSeconds: 0, rows: 0)
        logger.debug("\(job.name) starting")
        do {
            let output = try job.compute(&pass, database: database)
            report.details = output.details
            report.computeSeconds = computeStart.secondsSince
            let writeStart = ContinuousClock.now
            report.rows = try database.transaction {
                let rows = try output.write(database)
                try record(report, started: started, succeeded: true, in: database)
                return rows
            }
            report.writeSeconds = writeStart.secondsSince
            logger.info(
                """
                \(job.name) done in \(format(report.computeSeconds)) + \(format(report.writeSeconds)) \
                writing \(report.rows) rows: \(report.details)
                """)
        } catch {
            report.error = "\(error)"
            logger.error("\(job.name) failed (its previous results stay): \(error)")
            try? record(report, started: started, succeeded: false, in: database)
        }
        return report
    }

    private func record(_ report: JobReport, started: Date, succeeded: Bool, in database: PostgresConnection) throws {
        let run = WorkerRecords.JobRun(
            job: report.name, startedAt: started,
            durationMilliseconds: Int64(((report.computeSeconds + report.writeSeconds) * 1000).rounded()),
            succeeded: succeeded, details: report.error ?? report.details)
        try WorkerRecords.record(run, keepDays: Self.jobRunRetentionDays, in: database)
    }

    /// Gives the worker's PostgreSQL backend the worker's niceness, so that its COPYs and index
    /// builds yield to the relay too. Only for a server on this machine (a backend pid elsewhere
    /// names nothing here), and only where allowed (the same user, or root); otherwise said once.
    private func lowerBackendPriority(_ database: PostgresConnection) {
        let nice = configuration.analytics.worker.nice
        let pid = database.backendProcessID
        guard nice > 0, database.isLocalServer, pid > 0 else { return }
        if setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(pid), Int32(nice)) != 0,
            !Self.reportedBackendPriority.exchange(true, ordering: .relaxed)
        {
            logger.warning("cannot lower the PostgreSQL backend's priority (\(String(cString: strerror(errno))))")
        }
    }

    private static let reportedBackendPriority = Atomic<Bool>(false)

    private func format(_ seconds: Double) -> String {
        seconds < 10 ? "\((seconds * 1000).rounded() / 1000) s" : "\((seconds * 10).rounded() / 10) s"
    }
}

extension ContinuousClock.Instant {
    /// Seconds elapsed since this instant.
    var secondsSince: Double {
        let elapsed = ContinuousClock.now - self
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
