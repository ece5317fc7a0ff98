/// The side that answers a negentropy reconciliation (a NIP-77 relay). It learns nothing itself:
/// each message gets a reply, and the initiator decides when the exchange is over.
public struct NegentropyResponder: Sendable {
    private var reconciler: NegentropyReconciler
    private var unusedHave: [EventID] = []
    private var unusedNeed: [EventID] = []

    /// Answers from `storage`; `frameSizeLimit` bounds each reply (0 for no limit, otherwise at
    /// least 4096 bytes).
    ///
    /// - Throws: `.frameSizeLimitTooSmall` for a limit from 1 to 4095.
    public init(storage: NegentropyStorage, frameSizeLimit: Int = 0) throws(NegentropyError) {
        reconciler = try NegentropyReconciler(storage: storage, frameSizeLimit: frameSizeLimit, isInitiator: false)
    }

    /// The reply to `message`. A message in a protocol version this side does not speak gets the
    /// single byte of the version it does speak (0x61), as the protocol asks.
    ///
    /// - Throws: a `NegentropyError` for a malformed message.
    public mutating func reconcile(_ message: [UInt8]) throws(NegentropyError) -> [UInt8] {
        try reconciler.reconcile(message, have: &unusedHave, need: &unusedNeed)
    }
}
