import Foundation

/// Where the relay reports client traffic for analytics: the REQs and COUNTs clients send, the
/// stored events they are served, and what is refused because of its kind. Only client traffic
/// comes here, never the relay's own lookups.
///
/// The relay calls it from its connection handlers, so every method must return at once (update
/// something in memory, never wait on I/O). `purplepages` records into PGAnalytics's
/// `TrackingSink` (see RelayServices); without an analytics database there is no recorder.
public protocol TrafficRecorder: Sendable {
    /// One filter of a REQ or COUNT from `ip`: the authors and kinds it names.
    func recordRequest(ip: String, authors: [String], kinds: [Int], now: Date)
    /// A REQ or COUNT asked for a kind the relay does not store.
    func recordRejectedRequestKind(kind: Int, now: Date)
    /// `events` stored events were sent to `ip` for one REQ.
    func recordServed(ip: String, events: Int, now: Date)
    /// An EVENT of a kind the relay does not store was refused.
    func recordRejectedEvent(kind: Int, pubkey: String, now: Date)
}
