#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// IP address literals: read as the C library reads them when given a host to connect to, and
/// written in their usual form. Pure functions, no DNS.
public enum IPAddressLiteral {
    /// The address bytes (4 or 16, network order) if `text` is an IP address literal, else nil.
    ///
    /// IPv4 is read as `inet_aton` (and so `getaddrinfo`) reads it, odd forms included: one to four
    /// parts, each decimal, octal (leading `0`) or hexadecimal (`0x`), the last filling the bytes
    /// left: `2130706433`, `0x7f.1` and `0177.0.0.1` are all 127.0.0.1. A checker that knew only
    /// dotted quads would wave these through as host names. IPv6 may be bracketed, and a zone
    /// (`%eth0`) is dropped.
    public static func bytes(_ text: String) -> [UInt8]? {
        var text = Substring(text)
        if text.hasPrefix("[") && text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if text.contains(":") { return ipv6Bytes(text.prefix { $0 != "%" }) }
        return ipv4Bytes(text)
    }

    /// `address` (4 or 16 bytes) as text: a dotted quad, or IPv6 in its shortest form (RFC 5952);
    /// nil for any other length.
    public static func text(_ address: [UInt8]) -> String? {
        switch address.count {
        case 4:
            return address.map(String.init).joined(separator: ".")
        case 16:
            var storage = in6_addr()
            withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: address) }
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            guard inet_ntop(AF_INET6, &storage, &buffer, socklen_t(buffer.count)) != nil else { return nil }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        default:
            return nil
        }
    }

    private static func ipv6Bytes(_ text: Substring) -> [UInt8]? {
        var storage = in6_addr()
        guard inet_pton(AF_INET6, String(text), &storage) == 1 else { return nil }
        return withUnsafeBytes(of: storage) { Array($0) }
    }

    /// `inet_aton`'s grammar, strictly: no sign, no whitespace, nothing after the last part.
    private static func ipv4Bytes(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return nil }
        var values: [UInt64] = []
        for part in parts {
            guard let value = number(part) else { return nil }
            values.append(value)
        }
        // Every part but the last is one byte; the last fills the rest (4, 3, 2 or 1 bytes).
        guard values.dropLast().allSatisfy({ $0 <= 0xFF }) else { return nil }
        let lastBytes = 5 - parts.count
        guard values[values.count - 1] < (UInt64(1) << (8 * lastBytes)) else { return nil }
        var result = values.dropLast().map { UInt8($0) }
        let last = values[values.count - 1]
        for shift in stride(from: 8 * (lastBytes - 1), through: 0, by: -8) {
            result.append(UInt8(truncatingIfNeeded: last >> UInt64(shift)))
        }
        return result
    }

    /// One part: `0x` hexadecimal, a leading `0` octal, otherwise decimal; nil if not a number or
    /// too long to be a valid part.
    private static func number(_ part: Substring) -> UInt64? {
        guard !part.isEmpty, part.count <= 12 else { return nil }
        if part.count > 2 && (part.hasPrefix("0x") || part.hasPrefix("0X")) {
            let digits = part.dropFirst(2)
            // Checked first: UInt64(_:radix:) would also take a sign.
            guard digits.allSatisfy({ $0.isASCII && $0.isHexDigit }) else { return nil }
            return UInt64(digits, radix: 16)
        }
        guard part.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return part.count > 1 && part.hasPrefix("0") ? UInt64(part.dropFirst(), radix: 8) : UInt64(part, radix: 10)
    }
}
