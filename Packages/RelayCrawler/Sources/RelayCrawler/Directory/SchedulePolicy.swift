/// When the directory schedules a relay's next visit.
///
/// After a success the relay comes back after `revisitSeconds`; after failures it backs off
/// exponentially, so a dead relay costs a connection attempt a day at most instead of one per tick
/// (the Go original retried a failing relay every 30 s forever). Every delay is jittered so relays
/// discovered together, or failing together when a network drops, do not stay in lockstep.
public struct SchedulePolicy: Sendable, Equatable {
    /// Delay after a successful visit, in seconds.
    public var revisitSeconds: Int64 = 3600
    /// Delay after the first failure in a row, in seconds; it doubles with each further failure.
    public var initialBackoffSeconds: Int64 = 60
    /// The longest backoff, in seconds.
    public var maxBackoffSeconds: Int64 = 86_400
    /// Relative spread applied to every delay: 0.2 draws it uniformly within +-20%.
    public var jitter: Double = 0.2

    /// A policy; the defaults revisit hourly and back off from a minute up to a day, +-20%.
    public init(
        revisitSeconds: Int64 = 3600, initialBackoffSeconds: Int64 = 60, maxBackoffSeconds: Int64 = 86_400,
        jitter: Double = 0.2
    ) {
        self.revisitSeconds = revisitSeconds
        self.initialBackoffSeconds = initialBackoffSeconds
        self.maxBackoffSeconds = maxBackoffSeconds
        self.jitter = jitter
    }

    /// The backoff before jitter after `consecutiveFailures` failures in a row (at least 1):
    /// `min(max, initial * 2^(n-1))`, computed without overflowing for any n.
    func backoff(consecutiveFailures: Int) -> Int64 {
        let doublings = max(0, consecutiveFailures - 1)
        guard doublings < 62 else { return maxBackoffSeconds }
        let (delay, overflow) = initialBackoffSeconds.multipliedReportingOverflow(by: Int64(1) << doublings)
        return overflow ? maxBackoffSeconds : min(maxBackoffSeconds, delay)
    }

    /// `delay` spread by the jitter, drawn from `random`; never less than one second, so a relay
    /// just visited is never due again in the same instant.
    func jittered(_ delay: Int64, random: inout SplitMix64) -> Int64 {
        let spread = min(max(jitter, 0), 1)
        let unit = Double(random.next() >> 11) / Double(1 << 53)  // uniform in [0, 1)
        let factor = 1 + spread * (2 * unit - 1)
        let scaled = (Double(delay) * factor).rounded()
        guard scaled < Double(Int64.max / 2) else { return Int64.max / 2 }
        return max(1, Int64(scaled))
    }
}

/// A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64), so tests can fix the
/// jitter and replay a schedule exactly.
struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator started from `seed`.
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
