/// A NIP-01 subscription filter: which events a `REQ` or `COUNT` asks for.
///
/// Fields AND together, values inside a field OR together; an absent field (`nil`) matches
/// everything and a present but empty list matches nothing. `matches(_:)` is the reference
/// semantics every store is tested against.
public struct Filter: Sendable, Hashable {
    /// Event ids (exact).
    public var ids: [EventID]?
    /// Authors (exact).
    public var authors: [PublicKey]?
    /// Kinds.
    public var kinds: [Kind]?
    /// Tag conditions (`#e`, `#p`, `#t`, ...), one per letter, sorted by letter.
    public var tags: [TagCondition]
    /// Oldest `created_at` to match, inclusive.
    public var since: Int64?
    /// Newest `created_at` to match, inclusive.
    public var until: Int64?
    /// How many stored events to return at most (the initial query only).
    public var limit: Int?
    /// A NIP-50 full-text query.
    public var search: String?

    /// A filter with the given fields; `tags` is sorted by letter.
    public init(
        ids: [EventID]? = nil, authors: [PublicKey]? = nil, kinds: [Kind]? = nil, tags: [TagCondition] = [],
        since: Int64? = nil, until: Int64? = nil, limit: Int? = nil, search: String? = nil
    ) {
        self.ids = ids
        self.authors = authors
        self.kinds = kinds
        self.tags = tags.sorted { $0.letter < $1.letter }
        self.since = since
        self.until = until
        self.limit = limit
        self.search = search
    }

    /// The condition for tag letter `letter` (e.g. `"p"`), if any.
    public func tag(_ letter: Character) -> TagCondition? {
        guard let ascii = letter.asciiValue else { return nil }
        return tags.first { $0.letter == ascii }
    }

    /// Whether `event` satisfies every field (NIP-01; `limit` plays no part).
    public func matches(_ event: Event) -> Bool {
        if let since, event.createdAt < since { return false }
        if let until, event.createdAt > until { return false }
        if let kinds, !kinds.contains(event.kind) { return false }
        if let authors, !authors.contains(event.pubkey) { return false }
        if let ids, !ids.contains(event.id) { return false }
        for condition in tags where !condition.matches(event.tags) { return false }
        if let search, !Filter.searchMatches(search, content: event.content) { return false }
        return true
    }

    /// Whether the filter can match no event at all, whatever is stored.
    public var isUnsatisfiable: Bool {
        if ids?.isEmpty == true || authors?.isEmpty == true || kinds?.isEmpty == true { return true }
        if tags.contains(where: { $0.values.isEmpty }) { return true }
        if let since, let until, since > until { return true }
        return false
    }

    /// NIP-50 reference semantics: every search term that is not a `key:value` extension occurs in
    /// the content, ignoring case. Extensions are ignored, as NIP-50 allows.
    static func searchMatches(_ query: String, content: String) -> Bool {
        let terms = query.split(whereSeparator: \.isWhitespace).filter { !$0.contains(":") }
        guard !terms.isEmpty else { return true }
        let haystack = content.lowercased()
        return terms.allSatisfy { haystack.contains($0.lowercased()) }
    }
}

/// A tag condition of a filter: the event must have a tag named `letter` whose first value is one
/// of `values`.
public struct TagCondition: Sendable, Hashable {
    /// The single ASCII letter (a-z, A-Z) naming the tag.
    public var letter: UInt8
    /// Accepted first values; an empty list matches nothing.
    public var values: [String]

    /// A condition on tag `letter`.
    public init(letter: UInt8, values: [String]) {
        self.letter = letter
        self.values = values
    }

    /// A condition on tag `letter` (a single ASCII letter).
    public init(_ letter: Character, _ values: [String]) {
        self.init(letter: letter.asciiValue ?? 0, values: values)
    }

    /// The filter key, e.g. `#p`.
    public var key: String { "#" + String(UnicodeScalar(letter)) }

    /// Whether any tag of `tags` is named `letter` and has a first value in `values`.
    public func matches(_ tags: Tags) -> Bool {
        for tag in tags where tag.count > 1 && tag.hasSingleLetterName(letter) {
            let matched = tag.withBytes(at: 1) { value in
                values.contains { candidate in
                    var candidate = candidate
                    return candidate.withUTF8 { $0.elementsEqual(value) }
                }
            }
            if matched { return true }
        }
        return false
    }
}
