import NostrCore

/// What the configuration lets in, whoever brings the event (a client over WebSocket or an import):
/// allowed kinds (kind 5 deletions always), tag count, content length and how far ahead
/// `created_at` may be. Id and signature checks are the event's own (`Event.validate`).
public struct EventPolicy: Sendable {
    /// Kinds stored: the configured ones plus kind 5; nil lets every kind in.
    public let storedKinds: KindSet?
    /// The limits in force.
    public let limits: RelayConfiguration.Limits

    /// The policy of `configuration`; `checkKinds: false` skips `allowed_kinds` (an import of a
    /// trusted dump with `--all-kinds`).
    public init(_ configuration: RelayConfiguration, checkKinds: Bool = true) {
        storedKinds = checkKinds ? configuration.allowedKinds.adding(.deletion) : nil
        limits = configuration.limits
    }

    /// Whether events of `kind` are stored.
    public func allows(_ kind: Kind) -> Bool { storedKinds?.contains(kind) ?? true }

    /// Why `event` is refused, or nil; `now` is the current Unix time.
    public func rejection(of event: Event, now: Int64) -> Reason? {
        if !allows(event.kind) { return .blocked("kind \(event.kind) is not allowed") }
        if event.tags.count > limits.maxEventTags {
            return .invalid("too many tags: \(event.tags.count) (max \(limits.maxEventTags))")
        }
        // NIP-11 counts max_content_length in characters; bytes are never fewer, so only long
        // contents need counting.
        if event.contentByteCount > limits.maxContentLength {
            let characters = event.content.unicodeScalars.count
            if characters > limits.maxContentLength {
                return .invalid("content too long: \(characters) characters (max \(limits.maxContentLength))")
            }
        }
        if event.createdAt > now + Int64(limits.createdAtFutureSeconds) {
            return .invalid("created_at is more than \(limits.createdAtFutureSeconds) seconds in the future")
        }
        return nil
    }

    /// Why an event fetched from another relay (the crawler, `purplepages sync`) is refused, or
    /// nil: `rejection(of:now:)`, and NIP-70: a protected event is accepted only from its author,
    /// so one relayed by a third party is refused.
    public func rejection(ofFetched event: Event, now: Int64) -> Reason? {
        if let reason = rejection(of: event, now: now) { return reason }
        if event.isProtected { return .restricted("a protected event (NIP-70) is accepted only from its author") }
        return nil
    }
}
