import NostrCore

/// Which relays an outbox pass asks for which pubkeys: each pubkey's NIP-65 write relays (its
/// kind 10002 `r` tags marked `write` or unmarked, the first few), or the seed relays for a pubkey
/// whose list is unknown; grouped per relay, so one connection serves every pubkey that writes there.
struct OutboxPlan: Equatable {
    /// Relay URL → the pubkeys asked there, in order.
    var pubkeysByRelay: [String: [PublicKey]] = [:]

    /// Plans for `pubkeys`, given their relay lists (`lists[pubkey]`, absent when unknown).
    init(
        pubkeys: [PublicKey], lists: [PublicKey: Event], seeds: [String], relaysPerPubkey: Int, skipPrivate: Bool
    ) {
        for pubkey in pubkeys {
            var relays = lists[pubkey].map { Self.writeRelays(of: $0, skipPrivate: skipPrivate) } ?? []
            if relays.isEmpty { relays = seeds }
            for url in relays.prefix(relaysPerPubkey) { pubkeysByRelay[url, default: []].append(pubkey) }
        }
    }

    /// A kind 10002's write relays, normalised, without duplicates, in the list's order.
    static func writeRelays(of list: Event, skipPrivate: Bool) -> [String] {
        var seen = Set<String>()
        var relays: [String] = []
        for tag in list.tags.prefix(400) where tag.count >= 2 && tag[0] == "r" {
            if tag.count >= 3 && tag[2] == "read" { continue }
            guard let url = try? RelayURLNormalizer.normalize(tag[1]) else { continue }
            if skipPrivate && RelayURLNormalizer.isObviouslyPrivate(url) { continue }
            if seen.insert(url).inserted { relays.append(url) }
        }
        return relays
    }
}
