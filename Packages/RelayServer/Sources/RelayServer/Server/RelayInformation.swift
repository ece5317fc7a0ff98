import NostrCore
import PurplePagesConfiguration

/// The NIP-11 relay information document.
enum RelayInformation {
    /// NIPs this relay implements (1 events/REQ, 2 follow lists, 9 deletions, 11 this document,
    /// 40 expiration, 42 auth, 45 count, 65 relay lists, 70 protected events), and 77 (negentropy
    /// sync) when `limits.negentropy_enabled`.
    static func implementedNIPs(_ limits: RelayConfiguration.Limits) -> [Int] {
        [1, 2, 9, 11, 40, 42, 45, 65, 70] + (limits.negentropyEnabled ? [77] : [])
    }

    static func document(_ configuration: RelayConfiguration) -> [UInt8] {
        let identity = configuration.identity
        let limits = configuration.limits
        let nips = Array(Set(implementedNIPs(limits) + identity.supportedNIPs)).sorted()
        var members: [JSONValue.Member] = [
            .init("name", .string(identity.name)),
            .init("description", .string(identity.description)),
        ]
        if !identity.pubkey.isEmpty { members.append(.init("pubkey", .string(identity.pubkey))) }
        if !identity.contact.isEmpty { members.append(.init("contact", .string(identity.contact))) }
        if !identity.icon.isEmpty { members.append(.init("icon", .string(identity.icon))) }
        members += [
            .init("supported_nips", .array(nips.map { .number(String($0)) })),
            .init("software", .string(identity.software)),
            .init("version", .string(identity.version)),
        ]
        // strfry's field: the negentropy protocol version spoken (1), so a client knows before NEG-OPEN.
        if limits.negentropyEnabled { members.append(.init("negentropy", .number("1"))) }
        let limitation: [JSONValue.Member] = [
            .init("max_message_length", .number(String(limits.maxMessageBytes))),
            .init("max_subscriptions", .number(String(limits.maxSubscriptions))),
            .init("max_filters", .number(String(limits.maxFilters))),
            .init("max_limit", .number(String(limits.maxLimit))),
            .init("default_limit", .number(String(limits.defaultLimit))),
            .init("max_subid_length", .number(String(ClientMessage.maxSubscriptionIDLength))),
            .init("max_event_tags", .number(String(limits.maxEventTags))),
            .init("max_content_length", .number(String(limits.maxContentLength))),
            .init("created_at_upper_limit", .number(String(limits.createdAtFutureSeconds))),
            .init("auth_required", .bool(false)),
            .init("payment_required", .bool(false)),
            .init("restricted_writes", .bool(true)),
        ]
        members += [
            .init("limitation", .object(limitation + negentropyLimitation(limits))),
            .init("allowed_kinds_description", .string(configuration.allowedKinds.adding(.deletion).description)),
        ]
        var output: [UInt8] = []
        JSONValue.object(members).write(to: &output)
        return output
    }

    /// The negentropy limits, named as their keys in config.json (NIP-11 has none of its own):
    /// sessions per connection, events per session (a larger result is `NEG-ERR "blocked: ..."`),
    /// idle seconds before a session is closed, and bytes of one reply before hex.
    private static func negentropyLimitation(_ limits: RelayConfiguration.Limits) -> [JSONValue.Member] {
        guard limits.negentropyEnabled else { return [] }
        return [
            .init("negentropy_max_sessions", .number(String(limits.negentropyMaxSessions))),
            .init("negentropy_max_items", .number(String(limits.negentropyMaxItems))),
            .init("negentropy_idle_seconds", .number(String(limits.negentropyIdleSeconds))),
            .init("negentropy_frame_size_limit", .number(String(limits.negentropyFrameSizeLimit))),
        ]
    }

    /// The small HTML page a browser gets at `/`.
    static func page(_ configuration: RelayConfiguration) -> String {
        let identity = configuration.identity
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escapeHTML(identity.name))</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#222}
            code{background:#f4f0fa;padding:.1rem .3rem;border-radius:4px}</style></head>
            <body><h1>\(escapeHTML(identity.name))</h1><p>\(escapeHTML(identity.description))</p>
            <p>This is a Nostr relay. Point a Nostr client at this address over WebSocket
            (<code>wss://</code>); ask for <code>Accept: application/nostr+json</code> to read its NIP-11
            information document.</p>
            <p>Stored kinds: \(escapeHTML(configuration.allowedKinds.adding(.deletion).description)).</p>
            </body></html>
            """
    }

    static func escapeHTML(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
