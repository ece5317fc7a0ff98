/// Why a structurally valid event is not authentic.
public enum EventValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The `id` is not the hash of the canonical serialisation.
    case idMismatch(computed: EventID)
    /// The signature does not verify for `id` and `pubkey`.
    case invalidSignature

    /// The answer for an `OK false`.
    public var reason: Reason {
        switch self {
        case .idMismatch: return .invalid("id is computed incorrectly")
        case .invalidSignature: return .invalid("signature is invalid")
        }
    }

    public var description: String { reason.description }
}

extension Event {
    /// Checks that `id` is the hash of the event and, unless `verifySignature` is false, that `sig`
    /// is the author's BIP-340 signature of it.
    ///
    /// The id is accepted under either reading of NIP-01 for control characters other than
    /// `\b \t \n \f \r`: escaped as `\u00xx` (what clients sign) or verbatim (NIP-01's wording).
    /// A `keyCache` saves lifting authors' keys again (see ``PublicKeyCache``).
    public func validate(verifySignature: Bool = true, keyCache: PublicKeyCache? = nil) throws(EventValidationError) {
        let computed = computeID()
        if computed != id {
            guard hasAmbiguousControlCharacters, computeID(controlCharacters: .verbatim) == id else {
                throw .idMismatch(computed: computed)
            }
        }
        if verifySignature && !Schnorr.verify(sig, of: id.raw, by: pubkey, keyCache: keyCache) {
            throw .invalidSignature
        }
    }

    /// Whether `id` matches the event's contents.
    public var hasValidID: Bool {
        do {
            try validate(verifySignature: false)
            return true
        } catch {
            return false
        }
    }

    /// Whether `sig` is the author's signature of `id` (the id itself is not checked).
    public var hasValidSignature: Bool { Schnorr.verify(sig, of: id.raw, by: pubkey) }
}
