import Foundation
import LMDBStore
import Logging
import NostrCore

/// Finds relays in the kind 10002 lists the store holds, whatever brought them there (a client's
/// EVENT, an import in another process, a sync, the crawler itself): it follows the store's
/// arrivals from a persisted checkpoint, and recounts how many pubkeys list each relay from every
/// list now and then (a replaced list may have dropped a relay).
struct RelayDiscovery: Sendable {
    let store: EventStore
    let directory: RelayDirectory
    let skipPrivateURLs: Bool
    let logger: Logger

    /// Kind 10002 lists read per batch, and `r` tags read per list at most.
    static let batch = 5000
    static let tagsPerList = 100

    /// Reads the lists that arrived since the checkpoint; returns how many relays were new.
    @discardableResult
    func discoverNew(now: Int64) throws -> Int {
        var added = 0
        while true {
            var urls: [String] = []
            var lists = 0
            let checkpoint = directory.discoveryCheckpoint
            let reached = try store.scanArrivals(after: checkpoint, kinds: [Kind(rawValue: 10002)], limit: Self.batch) {
                _, stored in
                lists += 1
                urls += relayURLs(in: stored)
            }
            added += directory.discover(urls, now: now)
            directory.setDiscoveryCheckpoint(reached)
            if lists < Self.batch || reached == checkpoint { break }
        }
        if added > 0 { logger.debug("discovered \(added) relays") }
        return added
    }

    /// Recounts, from every kind 10002 stored, how many pubkeys list each relay (the store keeps
    /// one list per pubkey, so a list is a pubkey).
    ///
    /// Only relays the directory holds are counted: the URLs people list are theirs to invent, and
    /// the directory is bounded (`sync.max_relays`) where they are not.
    func recount() throws {
        let known = Set(directory.records().map(\.url))
        var counts: [String: Int] = [:]
        try store.scan(kind: Kind(rawValue: 10002)) { stored in
            for url in Set(relayURLs(in: stored)) where known.contains(url) { counts[url, default: 0] += 1 }
            return true
        }
        directory.setListedBy(counts)
    }

    /// The normalised relay URLs of a stored kind 10002 (at most `tagsPerList`), without the
    /// obviously private ones when those are skipped.
    func relayURLs(in stored: StoredEvent) -> [String] {
        guard let event = try? Event(json: Array(stored.json)) else { return [] }
        return Self.relayURLs(in: event, skipPrivate: skipPrivateURLs)
    }

    /// The normalised relay URLs an event's `r` tags name.
    static func relayURLs(in event: Event, skipPrivate: Bool) -> [String] {
        var urls: [String] = []
        for tag in event.tags.prefix(tagsPerList * 4) where tag.count >= 2 && tag[0] == "r" {
            guard let url = try? RelayURLNormalizer.normalize(tag[1]) else { continue }
            if skipPrivate && RelayURLNormalizer.isObviouslyPrivate(url) { continue }
            urls.append(url)
            if urls.count == tagsPerList { break }
        }
        return urls
    }
}
