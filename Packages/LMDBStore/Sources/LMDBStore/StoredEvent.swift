/// One stored event as a query hands it out. `json` points into the store and is valid only
/// during the callback.
public struct StoredEvent {
    /// The event's JSON, as stored.
    public var json: UnsafeRawBufferPointer
    /// `created_at`.
    public var createdAt: Int64
}
