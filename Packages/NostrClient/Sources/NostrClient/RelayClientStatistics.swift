import Synchronization

/// What went over one connection so far.
///
/// Bytes are the payload bytes of WebSocket data frames (text, binary, continuation) as they travel:
/// compressed when permessage-deflate is on, without frame headers, control frames (ping, pong,
/// close), TLS records or the HTTP upgrade.
public struct RelayClientStatistics: Sendable, Equatable {
    /// Payload bytes of data frames sent.
    public var bytesSent: Int
    /// Payload bytes of data frames received.
    public var bytesReceived: Int
    /// Messages sent, NIP-42 answers included.
    public var messagesSent: Int
    /// Complete messages received, whatever became of them.
    public var messagesReceived: Int
    /// Events delivered as `.invalidEvent`: unparsable, wrong id or signature, or refused by `eventCheck`.
    public var invalidEvents: Int

    /// Statistics with the given counts (all zero by default).
    public init(
        bytesSent: Int = 0, bytesReceived: Int = 0, messagesSent: Int = 0, messagesReceived: Int = 0,
        invalidEvents: Int = 0
    ) {
        self.bytesSent = bytesSent
        self.bytesReceived = bytesReceived
        self.messagesSent = messagesSent
        self.messagesReceived = messagesReceived
        self.invalidEvents = invalidEvents
    }
}

/// The live counters behind `RelayClientStatistics`, updated from the event loop and the reader
/// without locks.
final class StatisticsCounters: Sendable {
    let bytesSent = Atomic<Int>(0)
    let bytesReceived = Atomic<Int>(0)
    let messagesSent = Atomic<Int>(0)
    let messagesReceived = Atomic<Int>(0)
    let invalidEvents = Atomic<Int>(0)

    /// The counts now (each read on its own: a snapshot, not a transaction).
    var snapshot: RelayClientStatistics {
        RelayClientStatistics(
            bytesSent: bytesSent.load(ordering: .relaxed), bytesReceived: bytesReceived.load(ordering: .relaxed),
            messagesSent: messagesSent.load(ordering: .relaxed),
            messagesReceived: messagesReceived.load(ordering: .relaxed),
            invalidEvents: invalidEvents.load(ordering: .relaxed))
    }
}

extension Atomic where Value == Int {
    /// Adds `amount` (relaxed: counters order nothing).
    func add(_ amount: Int) { _ = wrappingAdd(amount, ordering: .relaxed) }
}
