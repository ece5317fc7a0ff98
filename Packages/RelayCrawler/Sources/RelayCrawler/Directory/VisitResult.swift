/// How one visit to a relay went, as the crawler reports it to `RelayDirectory.finishVisit`.
public struct VisitResult: Sendable, Equatable {
    /// Whether the visit connected and did its work; a failure backs the relay off.
    public var succeeded: Bool
    /// Events stored from this visit (new to the store).
    public var eventsStored: Int
    /// Bytes received during the visit.
    public var bytesReceived: Int64
    /// Whether the relay answered NIP-77; nil when this visit did not find out (what is known stays).
    public var supportsNegentropy: Bool?
    /// Why it failed (or what went wrong in a visit that still succeeded); truncated when stored.
    public var error: String?

    /// A visit outcome; only `succeeded` is required.
    public init(
        succeeded: Bool, eventsStored: Int = 0, bytesReceived: Int64 = 0, supportsNegentropy: Bool? = nil,
        error: String? = nil
    ) {
        self.succeeded = succeeded
        self.eventsStored = eventsStored
        self.bytesReceived = bytesReceived
        self.supportsNegentropy = supportsNegentropy
        self.error = error
    }
}
