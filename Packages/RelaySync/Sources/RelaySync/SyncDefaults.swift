import NostrCore

/// What `purplepages sync` assumes when it is not told.
public enum SyncDefaults {
    /// The Go original's `sync_kinds`: profiles, follow lists and the NIP-51 replaceable lists.
    public static let kinds: [Kind] = [
        0, 3, 10000, 10001, 10002, 10003, 10004, 10005, 10006, 10007, 10009, 10015, 10030, 10050,
    ]

    /// The kinds a sync covers unless told: every kind the store holds, and the usual list kinds
    /// (so an empty store fills), restricted to what the relay accepts.
    public static func kinds(held: some Sequence<Kind>, allowed: (Kind) -> Bool) -> [Kind] {
        Set(held).union(kinds).filter(allowed).sorted()
    }

    /// `url` with `wss://` in front when it names no scheme (as the Go original did).
    public static func relayURL(_ url: String) -> String {
        url.contains("://") ? url : "wss://" + url
    }
}
