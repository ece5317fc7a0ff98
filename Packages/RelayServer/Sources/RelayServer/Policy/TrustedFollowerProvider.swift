/// Tells how many trusted pubkeys follow a pubkey, for exempting authenticated heavy users from
/// the daily budget, and whether a pubkey is trusted. The analytics worker's results provide it
/// (`AnalyticsTrustResults` in RelayServices); until then nobody is exempt.
public protocol TrustedFollowerProvider: Sendable {
    /// Trusted followers of `pubkey`.
    func trustedFollowerCount(of pubkey: PublicKeyHex) -> Int
    /// Whether `pubkey` is in the trusted set.
    func isTrusted(_ pubkey: PublicKeyHex) -> Bool
}

extension TrustedFollowerProvider {
    /// Nobody is trusted unless the provider says otherwise.
    public func isTrusted(_ pubkey: PublicKeyHex) -> Bool { false }
}

/// A 64-character lowercase hex public key.
public typealias PublicKeyHex = String

/// The provider used until analytics results exist: nobody has trusted followers.
public struct NoTrustedFollowers: TrustedFollowerProvider {
    /// The empty provider.
    public init() {}
    public func trustedFollowerCount(of pubkey: PublicKeyHex) -> Int { 0 }
}
