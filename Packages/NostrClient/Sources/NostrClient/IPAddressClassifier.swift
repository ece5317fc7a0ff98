/// Tells public unicast IP addresses from every other kind, from the address bytes alone (no I/O).
///
/// "Public" means an address a relay on the Internet may have: not this machine, not a private or
/// shared network, not link-local, multicast, broadcast, documentation, benchmarking or reserved
/// space. Addresses that carry an IPv4 address inside an IPv6 one (IPv4-mapped, IPv4-compatible,
/// NAT64, 6to4) are judged by the IPv4 address they lead to, so `::ffff:127.0.0.1` is loopback.
public enum IPAddressClassifier {
    /// Whether `address` (4 bytes for IPv4, 16 for IPv6, network order) is public unicast; any other
    /// length is not an address and gives false.
    public static func isPublicUnicast(_ address: [UInt8]) -> Bool {
        switch address.count {
        case 4: isPublicIPv4(address[0], address[1], address[2], address[3])
        case 16: isPublicIPv6(address)
        default: false
        }
    }

    /// The IPv4 ranges of the IANA special-purpose registry (RFC 6890 and successors) that are not
    /// reachable on the Internet, or not meant to be connected to by a crawler.
    private static func isPublicIPv4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> Bool {
        switch a {
        case 0: return false  // 0/8 "this network"; 0.0.0.0 reaches the local host on Linux
        case 10: return false  // 10/8 private
        case 100 where b & 0xC0 == 64: return false  // 100.64/10 carrier-grade NAT
        case 127: return false  // 127/8 loopback
        case 169 where b == 254: return false  // 169.254/16 link-local, cloud metadata services
        case 172 where b & 0xF0 == 16: return false  // 172.16/12 private
        case 192 where b == 0 && (c == 0 || c == 2): return false  // IETF protocol assignments; TEST-NET-1
        case 192 where b == 88 && c == 99: return false  // 192.88.99/24 6to4 relay anycast (deprecated)
        case 192 where b == 168: return false  // 192.168/16 private
        case 198 where b & 0xFE == 18: return false  // 198.18/15 benchmarking
        case 198 where b == 51 && c == 100: return false  // TEST-NET-2
        case 203 where b == 0 && c == 113: return false  // TEST-NET-3
        case 224...: return false  // 224/4 multicast, 240/4 reserved and 255.255.255.255 broadcast
        default: return true
        }
    }

    private static func isPublicIPv6(_ bytes: [UInt8]) -> Bool {
        let embeddedAtEnd = Array(bytes[12..<16])
        // ::ffff:0:0/96 IPv4-mapped: a dual-stack socket sends it as IPv4.
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return isPublicUnicast(embeddedAtEnd)
        }
        // ::/96 IPv4-compatible (deprecated), which also holds :: (0.0.0.0) and ::1 (0.0.0.1).
        if bytes[0..<12].allSatisfy({ $0 == 0 }) {
            return isPublicUnicast(embeddedAtEnd)
        }
        // 64:ff9b::/96 well-known NAT64 prefix: the gateway connects to the embedded IPv4 address.
        if bytes[0..<4] == [0x00, 0x64, 0xFF, 0x9B] && bytes[4..<12].allSatisfy({ $0 == 0 }) {
            return isPublicUnicast(embeddedAtEnd)
        }
        // Everything else outside 2000::/3 (global unicast) is not public: 64:ff9b:1::/48 (local
        // NAT64), 100::/64 (discard), fc00::/7 (unique local), fe80::/10 (link-local), fec0::/10
        // (site-local), ff00::/8 (multicast) and unassigned space.
        guard bytes[0] & 0xE0 == 0x20 else { return false }
        switch (bytes[0], bytes[1], bytes[2], bytes[3]) {
        case (0x20, 0x01, 0x00, 0x00): return false  // 2001::/32 Teredo: the far end is an unknown IPv4 host
        case (0x20, 0x01, 0x00, 0x02) where bytes[4] == 0 && bytes[5] == 0: return false  // 2001:2::/48 benchmarking
        case (0x20, 0x01, 0x0D, 0xB8): return false  // 2001:db8::/32 documentation
        case (0x20, 0x02, _, _): return isPublicUnicast(Array(bytes[2..<6]))  // 2002::/16 6to4
        case (0x3F, 0xFF, _, _) where bytes[2] & 0xF0 == 0: return false  // 3fff::/20 documentation (RFC 9637)
        default: return true
        }
    }
}
