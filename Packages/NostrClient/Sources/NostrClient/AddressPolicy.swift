/// Which network addresses `RelayClient.connect` may open a socket to.
///
/// A crawler connects to URLs that strangers publish (kind 10002 relay lists), so a URL naming
/// `localhost`, a router's admin page or a cloud metadata address must not make the relay probe its
/// own network (server-side request forgery). The check sits in `connect`, so it applies to every
/// connect and every reconnect, each with a fresh DNS answer: a name that resolved to a public
/// address once and to a private one later (DNS rebinding) is refused the second time.
public enum AddressPolicy: Sendable, Equatable {
    /// Connect wherever the URL's host resolves to, private networks and loopback included: for
    /// URLs the operator typed (`purplepages sync URL`).
    case any
    /// Connect only to public unicast addresses (see `IPAddressClassifier`). Names ending in
    /// `.onion`, `.local`, `.localhost` and `localhost` itself are refused without a DNS lookup;
    /// other names are resolved, the first public address is connected to as an IP literal (so the
    /// socket goes exactly where the check looked), and a name with no public address is refused.
    /// Refusals throw `RelayClientError.addressRefused`.
    case publicOnly

    /// Why `.publicOnly` refuses the host name `host` before any lookup (a phrase naming it), or nil
    /// if the name has to be resolved to tell. Also what a crawler can use to skip such names
    /// without DNS.
    ///
    /// `.onion` needs Tor, `.local` is multicast DNS on the local link, and `localhost` is the
    /// machine itself (RFC 6761 says resolvers may answer it without asking DNS, so we do not ask).
    /// A trailing dot (a fully qualified name) and letter case make no difference.
    public static func refusalWithoutLookup(host: String) -> String? {
        var name = host.lowercased()
        // "localhost." is the same name as "localhost", fully qualified.
        if name.hasSuffix(".") { name.removeLast() }
        if name == "localhost" || name.hasSuffix(".localhost") { return "\(host) names this machine" }
        if name.hasSuffix(".onion") { return "\(host) is a Tor onion service" }
        if name.hasSuffix(".local") { return "\(host) is a multicast DNS name of the local network" }
        return nil
    }
}
