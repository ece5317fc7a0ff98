/// A relay that could not be reached or did not greet a new connection as Nostr relays do.
public struct RelayConnectionError: Error, CustomStringConvertible {
    /// What went wrong.
    public let description: String

    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}
