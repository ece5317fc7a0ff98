/// The crawler's namespace and version of its on-disk state.
public enum RelayCrawler {
    /// The directory's schema version (a mismatch is refused at open).
    public static let directorySchemaVersion = 1
}
