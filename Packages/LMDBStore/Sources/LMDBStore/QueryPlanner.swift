import NostrCore

/// How one filter is answered: which index, which keys, and what must still be checked per event.
/// Pure logic, testable without a store.
struct QueryPlan: Equatable {
    /// Where candidates come from.
    enum Source: Equatable {
        /// Point lookups by id.
        case ids([EventID])
        /// Exact keys of one index, one cursor each.
        case keys(IndexTable, [[UInt8]])
        /// Every key under each prefix (a cursor per key found), for scans whose last key part
        /// (the kind) is free.
        case prefixes(IndexTable, [[UInt8]])
        /// Point lookups in the addresses table: authors x replaceable kinds, at most one event each.
        case addresses([[UInt8]])
    }

    /// The indexes a plan can use.
    enum IndexTable: Equatable {
        case byCreatedAt, byKind, byPubkeyKind, byTag
    }

    var source: Source
    /// Oldest and newest `created_at` to return.
    var since: UInt64
    var until: UInt64
    /// Kinds still to check on the candidate's metadata (not implied by the keys).
    var kinds: Set<Kind>?
    /// Authors still to check on the candidate's metadata.
    var authors: Set<PublicKey>?
    /// Whether the parsed event must go through `Filter.matches` (other tag conditions, hashed
    /// tag values, search, ids with other fields).
    var needsFullMatch: Bool
    /// An empty result without touching the store.
    var isEmpty: Bool

    /// Keys and prefixes a plan may use at most; wider filters fall back to a broader index.
    static let maxKeys = 4096

    /// Chooses the narrowest index, as strfry does: ids, then the tag condition with the fewest
    /// values, then authors x kinds, then authors, then kinds, then created_at.
    init(_ filter: Filter) {
        since = UInt64(max(0, filter.since ?? 0))
        until = filter.until.map { UInt64(max(0, $0)) } ?? .max
        kinds = nil
        authors = nil
        needsFullMatch = filter.search != nil
        isEmpty = filter.isUnsatisfiable
        source = .keys(.byCreatedAt, [IndexKeys.createdAtKey])
        let filterKinds = filter.kinds.map { Array(Set($0)).sorted() }
        let filterAuthors = filter.authors.map { Array(Set($0)).sorted() }

        if let ids = filter.ids {
            source = .ids(Array(Set(ids)).sorted())
            kinds = filterKinds.map(Set.init)
            authors = filterAuthors.map(Set.init)
            needsFullMatch = needsFullMatch || !filter.tags.isEmpty
            return
        }
        if let condition = filter.tags.min(by: { $0.values.count < $1.values.count }) {
            let codes = Array(Set(condition.values.map(TagValueCode.encode))).sorted {
                $0.lexicographicallyPrecedes($1)
            }
            let prefixes = codes.map { IndexKeys.tagPrefix(letter: condition.letter, valueCode: $0) }
            if let filterKinds, prefixes.count * filterKinds.count <= QueryPlan.maxKeys {
                source = .keys(.byTag, prefixes.flatMap { prefix in filterKinds.map { prefix + IndexKeys.kind($0) } })
            } else {
                source = .prefixes(.byTag, prefixes)
                kinds = filterKinds.map(Set.init)
            }
            authors = filterAuthors.map(Set.init)
            needsFullMatch = needsFullMatch || filter.tags.count > 1 || !codes.allSatisfy(TagValueCode.isExact)
            return
        }
        if let filterAuthors {
            if let filterKinds, filterAuthors.count * filterKinds.count <= QueryPlan.maxKeys,
                filterKinds.allSatisfy({ $0.storageClass == .replaceable })
            {
                // One version per (kind, author) at most: the addresses table has it, no cursor needed.
                source = .addresses(
                    filterAuthors.flatMap { author in
                        filterKinds.map { AddressKey.make(EventAddress(kind: $0, pubkey: author, identifier: "")) }
                    }.sorted { $0.lexicographicallyPrecedes($1) })
            } else if let filterKinds, filterAuthors.count * filterKinds.count <= QueryPlan.maxKeys {
                source = .keys(
                    .byPubkeyKind,
                    filterAuthors.flatMap { author in filterKinds.map { IndexKeys.pubkeyKind(author, $0) } })
            } else {
                source = .prefixes(.byPubkeyKind, filterAuthors.map { $0.raw.bytes })
                kinds = filterKinds.map(Set.init)
            }
            return
        }
        if let filterKinds {
            source = .keys(.byKind, filterKinds.map(IndexKeys.kind))
        }
    }

    /// Whether candidates need their metadata read (beyond the index entry).
    var needsMeta: Bool {
        if case .ids = source { return true }
        return kinds != nil || authors != nil
    }
}
