/// What one crawl pass (`Crawler.runOnce`) did.
public struct CrawlPassSummary: Sendable {
    /// Relays visited (seeds included).
    public var relaysVisited = 0
    /// Visits that failed.
    public var visitFailures = 0
    /// Events stored (new, or replacing an older version).
    public var eventsStored = 0
    /// Events received and refused (bad id or signature, policy, not asked for).
    public var eventsRefused = 0
    /// Wire bytes received.
    public var bytesReceived = 0
    /// Pubkeys and relays of the outbox pass.
    public var outboxPubkeys = 0
    public var outboxRelays = 0
    /// Relays in the directory after the pass.
    public var relaysKnown = 0
    /// Wall time.
    public var elapsed: Duration = .zero

    /// One line for the log and the command's output.
    public var line: String {
        "\(relaysVisited) relays visited (\(visitFailures) failed), \(eventsStored) events stored, "
            + "\(eventsRefused) refused, \(bytesReceived / 1024) KiB received, outbox \(outboxPubkeys) pubkeys on "
            + "\(outboxRelays) relays, \(relaysKnown) relays known, \(elapsed)"
    }
}
