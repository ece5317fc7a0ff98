import ArgumentParser
import Foundation
import Logging
import NostrCore
import PGAnalytics
import PurplePagesConfiguration

/// The import's history archive: with an analytics database configured, every version of an
/// `analytics.history_kinds` event that a newer one supersedes (a stored version the import
/// replaces, or an imported version older than the stored one) is recorded in `event_history`,
/// as the relay records the versions clients replace. Without a database, or with
/// `storage.archive_enabled` false, there is none.
struct ImportHistory {
    private let writer: EventHistoryWriter
    private let kinds: Set<Int>

    /// Connects (and migrates the schema); a database that cannot be reached fails the import
    /// before it starts (exit status 1), since going on would lose the history.
    static func open(_ configuration: RelayConfiguration, logger: Logger) throws -> ImportHistory? {
        let url = configuration.storage.analyticsDatabaseURL
        guard !url.isEmpty, !configuration.archivedKinds.isEmpty else { return nil }
        do {
            let history = ImportHistory(
                writer: try EventHistoryWriter(url: url), kinds: Set(configuration.archivedKinds))
            logger.info("recording superseded versions of kinds \(configuration.archivedKinds) in event_history")
            return history
        } catch {
            logger.error("cannot open the analytics database for event_history: \(error)")
            throw ExitCode(1)
        }
    }

    /// Records `event` when it is of an archived kind (the store's `onReplace` and the importer's
    /// `onSuperseded`).
    var archive: @Sendable (Event) -> Void {
        { [writer, kinds] event in
            guard kinds.contains(Int(event.kind.rawValue)) else { return }
            writer.append(
                ArchivedEvent(
                    id: event.id.hex, pubkey: event.pubkey.hex, kind: Int(event.kind.rawValue),
                    createdAt: event.createdAt, tagsJSON: event.tags.jsonString, content: event.content,
                    sig: event.sig.hex, archivedAt: Date()))
        }
    }

    /// Writes what is left and says what was recorded; false when versions could not be.
    func finish(logger: Logger) -> Bool {
        let report = writer.finish()
        var line = "event_history: \(report.recorded) superseded versions recorded"
        if report.unstorable > 0 { line += ", \(report.unstorable) left out (a NUL character PostgreSQL cannot hold)" }
        if let failure = report.failure {
            logger.error("\(line); \(report.notRecorded) not recorded: \(failure)")
            return false
        }
        logger.info("\(line)")
        return true
    }
}
