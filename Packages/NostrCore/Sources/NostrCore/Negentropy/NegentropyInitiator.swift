/// The side that starts a negentropy reconciliation (a NIP-77 client) and learns the difference.
///
/// Call `initiate()` and send its message; pass each reply to `reconcile(_:)` and send the next
/// message it returns until it returns `nil`. The ids collected by then are the whole symmetric
/// difference: `have` are ours alone, `need` the peer's alone, each id reported once. No I/O
/// happens here.
public struct NegentropyInitiator: Sendable {
    /// What one reply taught and what to send next.
    public struct Step: Sendable {
        /// The next message to send, or `nil` when reconciliation is complete.
        public var nextMessage: [UInt8]?
        /// Ids we have and the peer lacks, found in this reply.
        public var haveIDs: [EventID]
        /// Ids the peer has and we lack, found in this reply.
        public var needIDs: [EventID]
    }

    private var reconciler: NegentropyReconciler
    private var initiated = false

    /// Reconciles `storage`; `frameSizeLimit` bounds each message we send (0 for no limit, otherwise
    /// at least 4096 bytes).
    ///
    /// - Throws: `.frameSizeLimitTooSmall` for a limit from 1 to 4095.
    public init(storage: NegentropyStorage, frameSizeLimit: Int = 0) throws(NegentropyError) {
        reconciler = try NegentropyReconciler(storage: storage, frameSizeLimit: frameSizeLimit, isInitiator: true)
    }

    /// The first message to send.
    ///
    /// - Throws: `.alreadyInitiated` on a second call.
    public mutating func initiate() throws(NegentropyError) -> [UInt8] {
        guard !initiated else { throw .alreadyInitiated }
        initiated = true
        return reconciler.initialMessage()
    }

    /// Processes the peer's reply, appending what it taught to `haveIDs` and `needIDs`, and returns
    /// the next message to send, or `nil` when reconciliation is complete.
    ///
    /// - Throws: a `NegentropyError` for a malformed reply or one in another protocol version.
    public mutating func reconcile(
        _ message: [UInt8], haveIDs: inout [EventID], needIDs: inout [EventID]
    )
        throws(NegentropyError) -> [UInt8]?
    {
        guard initiated else { throw .notInitiated }
        let output = try reconciler.reconcile(message, have: &haveIDs, need: &needIDs)
        return output.count == 1 ? nil : output
    }

    /// Processes the peer's reply: the next message to send (or `nil` when done) and the ids it taught.
    ///
    /// - Throws: a `NegentropyError` for a malformed reply or one in another protocol version.
    public mutating func reconcile(_ message: [UInt8]) throws(NegentropyError) -> Step {
        var have: [EventID] = []
        var need: [EventID] = []
        let next = try reconcile(message, haveIDs: &have, needIDs: &need)
        return Step(nextMessage: next, haveIDs: have, needIDs: need)
    }
}
