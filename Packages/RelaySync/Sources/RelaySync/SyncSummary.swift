import LMDBStore

/// What one sync did: how it reconciled, what moved each way, what was refused and why, the bytes
/// on the wire and the time. Filled in as the sync goes, so a sync that failed half-way still
/// says what it had done.
public struct SyncSummary: Sendable, Equatable {
    /// How the two sets were compared.
    public enum Method: String, Sendable {
        /// NIP-77 set reconciliation.
        case negentropy
        /// `until` paging over REQ (the remote does not speak NIP-77).
        case requestPaging = "REQ paging"
    }

    /// The remote relay.
    public var url: String
    /// How the sets were compared (nil until known).
    public var method: Method?
    /// Why negentropy was not used, when it was not.
    public var fallbackReason: String?
    /// Whether nothing was downloaded or uploaded on purpose.
    public var dryRun = false
    /// Events matching the filter in the local store when the sync began.
    public var localItems = 0
    /// Distinct events the remote returned while paging (REQ paging only).
    public var remoteItems: Int?
    /// Events we have and the remote lacks.
    public var have = 0
    /// Events the remote has and we lack.
    public var need = 0
    /// Negentropy rounds, or REQ pages.
    public var rounds = 0

    /// Events received in answer to our requests (valid or not).
    public var received = 0
    /// What the store did with the valid ones.
    public var saved: [SaveOutcome: Int] = [:]
    /// Events refused before the store, by reason (bad id or signature, policy, not asked for).
    public var refused: [String: Int] = [:]
    /// Events asked for that the remote never sent (deleted meanwhile, or withheld).
    public var missing = 0
    /// Events the remote had and the store lacked at reconciliation, stored meanwhile by another
    /// sync (not downloaded again).
    public var alreadyStored = 0

    /// Events uploaded.
    public var sent = 0
    /// Uploaded events the remote accepted (including ones it already had).
    public var accepted = 0
    /// Uploaded events the remote refused, by its reason.
    public var rejected: [String: Int] = [:]
    /// Uploaded events the remote never answered.
    public var unanswered = 0

    /// Seconds with more events than one REQ page holds: paging may have missed some of them.
    public var crowdedSeconds: [Int64] = []
    /// WebSocket payload bytes sent and received.
    public var bytesSent = 0
    /// WebSocket payload bytes received.
    public var bytesReceived = 0
    /// Wall time.
    public var elapsed: Duration = .zero
    /// Why the sync stopped early, if it did.
    public var error: SyncError?

    /// An empty summary for a sync with `url`.
    public init(url: String) { self.url = url }

    /// Events now in the store that were not before (stored or replacing an older version).
    public var stored: Int { saved[.stored, default: 0] + saved[.replaced, default: 0] }

    /// The summary as lines for a terminal or a log.
    public var lines: [String] {
        var lines: [String] = []
        let how = method.map { $0 == .negentropy ? "negentropy, \(rounds) rounds" : "REQ paging, \(rounds) pages" }
        lines.append("sync \(url): \(how ?? "not reconciled") in \(Self.seconds(elapsed))\(dryRun ? " (dry run)" : "")")
        if let fallbackReason { lines.append("  negentropy not used: \(fallbackReason)") }
        var sets = "  local \(localItems) events"
        if let remoteItems { sets += ", remote \(remoteItems)" }
        sets += "; need \(need) (remote has, we lack), have \(have) (we have, remote lacks)"
        lines.append(sets)
        if received > 0 || !refused.isEmpty || missing > 0 {
            let outcomes = SaveOutcome.reported.compactMap { outcome in
                saved[outcome].map { "\($0) \(outcome.summaryName)" }
            }
            var line = "  down: \(received) received"
            if !outcomes.isEmpty { line += ", " + outcomes.joined(separator: ", ") }
            if missing > 0 { line += ", \(missing) never sent" }
            if alreadyStored > 0 { line += ", \(alreadyStored) stored meanwhile by another sync" }
            lines.append(line)
            lines += Self.reasons("refused", refused)
        }
        if sent > 0 || unanswered > 0 {
            var line = "  up: \(sent) sent, \(accepted) accepted"
            let refusedCount = rejected.values.reduce(0, +)
            if refusedCount > 0 { line += ", \(refusedCount) refused" }
            if unanswered > 0 { line += ", \(unanswered) unanswered" }
            lines.append(line)
            lines += Self.reasons("refused by the remote", rejected)
        }
        if !crowdedSeconds.isEmpty {
            let shown = crowdedSeconds.prefix(5).map(String.init).joined(separator: ", ")
            lines.append(
                "  warning: \(crowdedSeconds.count) seconds held more events than a page (\(shown)); "
                    + "some of them may be missing")
        }
        lines.append("  wire: \(Self.megabytes(bytesSent)) sent, \(Self.megabytes(bytesReceived)) received")
        if let error { lines.append("  stopped: \(error)") }
        return lines
    }

    private static func reasons(_ title: String, _ counts: [String: Int]) -> [String] {
        counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(10).map {
            "    \(title): \($0.value) \($0.key)"
        }
    }

    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let value = Double(seconds) + Double(attoseconds) / 1e18
        return "\((value * 100).rounded() / 100) s"
    }

    static func megabytes(_ bytes: Int) -> String {
        bytes < 1_000_000
            ? "\((Double(bytes) / 100).rounded() / 10) kB" : "\((Double(bytes) / 10_000).rounded() / 100) MB"
    }
}

extension SaveOutcome {
    /// Outcomes in the order the summary lists them.
    static let reported: [SaveOutcome] = [
        .stored, .replaced, .duplicate, .rejectedOlder, .deleted, .expired, .ephemeral,
    ]

    /// How the summary names the outcome.
    var summaryName: String {
        switch self {
        case .stored: "stored"
        case .replaced: "replaced an older version"
        case .duplicate: "already stored"
        case .rejectedOlder: "older than the stored version"
        case .deleted: "deleted by their authors"
        case .expired: "expired"
        case .ephemeral: "ephemeral (not stored)"
        }
    }
}
