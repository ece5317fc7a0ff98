import NostrCore
import Testing

/// What a client does with the relay: publish, request, count, authenticate.
extension NostrTestClient {
    /// Sends an EVENT and waits for its OK.
    public func publish(
        _ event: Event, timeout: Duration = defaultTimeout
    ) async throws -> (accepted: Bool, message: String) {
        try await publish(rawEvent: event.jsonString, id: event.id.hex, timeout: timeout)
    }

    /// Sends `["EVENT", rawEvent]` and waits for the OK naming `id`.
    public func publish(
        rawEvent: String, id: String, timeout: Duration = defaultTimeout
    ) async throws -> (
        accepted: Bool, message: String
    ) {
        try await send(#"["EVENT","# + rawEvent + "]")
        return try await ok(for: id, timeout: timeout)
    }

    /// Waits for the OK naming `id`.
    public func ok(for id: String, timeout: Duration = defaultTimeout) async throws -> (accepted: Bool, message: String)
    {
        let reply = try await take("OK for \(id)", timeout: timeout) { $0.type == "OK" && $0.string(1) == id }
        guard case .bool(let accepted) = reply[2], let message = reply.string(3), reply.json.arrayValue?.count == 4
        else {
            throw TestFailure("malformed OK: \(reply)")
        }
        return (accepted, message)
    }

    /// Sends a REQ and collects the stored events up to EOSE, as raw JSON text exactly as sent.
    public func requestRaw(
        _ id: String, _ filters: [Filter], timeout: Duration = defaultTimeout
    ) async throws -> [String] {
        try await requestRaw(id, rawFilters: filters.map(\.jsonString), timeout: timeout)
    }

    /// Sends a REQ with filters given as JSON text and collects the stored events up to EOSE.
    public func requestRaw(
        _ id: String, rawFilters: [String], timeout: Duration = defaultTimeout
    ) async throws -> [String] {
        try await send(Self.message("REQ", id, rawFilters))
        return try await storedEvents(id, timeout: timeout)
    }

    /// Collects the EVENTs of subscription `id` until its EOSE; throws on CLOSED.
    public func storedEvents(_ id: String, timeout: Duration = defaultTimeout) async throws -> [String] {
        var events: [String] = []
        while true {
            let reply = try await take("EVENT/EOSE of \(id)", timeout: timeout) { reply in
                ["EVENT", "EOSE", "CLOSED"].contains(reply.type) && reply.string(1) == id
            }
            switch reply.type {
            case "EVENT": events.append(try Self.eventJSON(of: reply))
            case "EOSE": return events
            default: throw TestFailure("subscription \(id) was closed: \(reply)")
            }
        }
    }

    /// Sends a REQ and returns the stored events up to EOSE.
    public func request(_ id: String, _ filters: [Filter], timeout: Duration = defaultTimeout) async throws -> [Event] {
        try await requestRaw(id, filters, timeout: timeout).map { try Event(json: $0) }
    }

    /// Sends a REQ with filters given as JSON text and returns the stored events up to EOSE.
    public func request(_ id: String, rawFilters: [String], timeout: Duration = defaultTimeout) async throws -> [Event]
    {
        try await requestRaw(id, rawFilters: rawFilters, timeout: timeout).map { try Event(json: $0) }
    }

    /// Waits for a live EVENT of subscription `id` and returns the event's raw JSON.
    public func liveEvent(_ id: String, timeout: Duration = defaultTimeout) async throws -> String {
        let reply = try await take("live EVENT of \(id)", timeout: timeout) {
            $0.type == "EVENT" && $0.string(1) == id
        }
        return try Self.eventJSON(of: reply)
    }

    /// The raw JSON of the event in `["EVENT", id, event]`, cut from the message text.
    public static func eventJSON(of reply: RelayFrame) throws -> String {
        guard let id = reply.string(1), reply.json.arrayValue?.count == 3 else {
            throw TestFailure("malformed EVENT: \(reply)")
        }
        let prefix = #"["EVENT","# + quoted(id) + ","
        guard reply.text.hasPrefix(prefix), reply.text.hasSuffix("]") else {
            throw TestFailure("EVENT is not compact: \(reply)")
        }
        return String(reply.text.dropFirst(prefix.count).dropLast())
    }

    /// Sends a COUNT and returns the count; throws on CLOSED.
    public func count(_ id: String, _ filters: [Filter], timeout: Duration = defaultTimeout) async throws -> Int {
        try await count(id, rawFilters: filters.map(\.jsonString), timeout: timeout)
    }

    /// Sends a COUNT with filters given as JSON text.
    public func count(_ id: String, rawFilters: [String], timeout: Duration = defaultTimeout) async throws -> Int {
        try await send(Self.message("COUNT", id, rawFilters))
        let reply = try await take("COUNT of \(id)", timeout: timeout) {
            ["COUNT", "CLOSED"].contains($0.type) && $0.string(1) == id
        }
        guard reply.type == "COUNT", let count = reply[2]?["count"]?.int64Value else {
            throw TestFailure("COUNT \(id) failed: \(reply)")
        }
        return Int(count)
    }

    /// Answers the greeting's challenge as `keyPair` (NIP-42) and returns the OK.
    public func authenticate(
        as keyPair: KeyPair, challenge: String? = nil, relayURL: String? = nil, timeout: Duration = defaultTimeout
    ) async throws -> (accepted: Bool, message: String) {
        let event = RelayAuthentication.makeEvent(
            challenge: challenge ?? self.challenge, relayURL: relayURL ?? self.relayURL, keyPair: keyPair,
            createdAt: unixNow)
        try await send(#"["AUTH","# + event.jsonString + "]")
        return try await ok(for: event.id.hex, timeout: timeout)
    }

    /// Checks the connection still works: a REQ for nothing gets its EOSE.
    public func expectResponsive(sourceLocation: SourceLocation = #_sourceLocation) async {
        do {
            let events = try await requestRaw(makeSubscriptionID("alive"), rawFilters: [#"{"ids":[]}"#])
            #expect(events.isEmpty, sourceLocation: sourceLocation)
        } catch {
            Issue.record("the connection no longer answers a REQ: \(error)", sourceLocation: sourceLocation)
        }
    }
}
