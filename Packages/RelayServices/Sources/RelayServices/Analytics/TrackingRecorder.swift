import Foundation
import PGAnalytics
import RelayServer

/// The relay's `TrafficRecorder` in `purplepages`: client traffic goes into PGAnalytics's
/// `TrackingSink` (bounded in-memory aggregates; the `TrackingFlusher` writes them out).
public struct TrackingRecorder: TrafficRecorder {
    /// Where the traffic is aggregated.
    public let sink: TrackingSink

    /// A recorder into `sink`.
    public init(sink: TrackingSink) { self.sink = sink }

    public func recordRequest(ip: String, authors: [String], kinds: [Int], now: Date) {
        sink.recordRequest(ip: ip, authors: authors, kinds: kinds, now: now)
    }

    public func recordRejectedRequestKind(kind: Int, now: Date) {
        sink.recordRejectedRequestKind(kind: kind, now: now)
    }

    public func recordServed(ip: String, events: Int, now: Date) {
        sink.recordServed(ip: ip, events: events, now: now)
    }

    public func recordRejectedEvent(kind: Int, pubkey: String, now: Date) {
        sink.recordRejectedEvent(kind: kind, pubkey: pubkey, now: now)
    }
}
