import PurplePagesConfiguration

/// What `--version` prints for every PurplePages executable.
public enum PurplePagesVersion {
    /// The release, the same as NIP-11's default `version` (`relay.version`).
    public static let number = RelayConfiguration().identity.version
    /// The git commit this build came from (`-dirty` with uncommitted changes; "unknown" outside git).
    public static let commit = buildCommit
    /// `0.1.0 (commit 0123456789ab)`.
    public static var description: String { "\(number) (commit \(commit))" }
}
