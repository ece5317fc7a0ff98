import RelayCrawler
import Testing

/// Every rule of `RelayURLNormalizer`, each Go behaviour of purplepages-go.md §7.2 beside what we
/// do instead.
@Suite("RelayURLNormalizer")
struct RelayURLNormalizerTests {
    /// Accepted inputs and their canonical form.
    static let accepted: [(String, String)] = [
        // Already canonical.
        ("wss://relay.damus.io", "wss://relay.damus.io"),
        ("ws://relay.example.com", "ws://relay.example.com"),
        // Whitespace around is trimmed (tabs and newlines too).
        ("  wss://relay.damus.io \n", "wss://relay.damus.io"),
        ("\twss://nos.lol\r\n", "wss://nos.lol"),
        // A bare host gets wss:// (as in Go), with its port and path.
        ("relay.damus.io", "wss://relay.damus.io"),
        ("relay.example.com:7777", "wss://relay.example.com:7777"),
        ("relay.example.com/nostr", "wss://relay.example.com/nostr"),
        ("relay.example.com:443", "wss://relay.example.com"),
        // Case folding of scheme and host; the path keeps its case.
        ("WSS://Relay.Damus.IO", "wss://relay.damus.io"),
        ("Ws://EXAMPLE.com/Nostr", "ws://example.com/Nostr"),
        // Default ports dropped, others kept, for both schemes.
        ("wss://relay.example.com:443", "wss://relay.example.com"),
        ("ws://relay.example.com:80", "ws://relay.example.com"),
        ("wss://relay.example.com:80", "wss://relay.example.com:80"),
        ("ws://relay.example.com:443", "ws://relay.example.com:443"),
        ("wss://relay.example.com:8080", "wss://relay.example.com:8080"),
        ("wss://relay.example.com:0443", "wss://relay.example.com"),
        ("ws://relay.example.com:1", "ws://relay.example.com:1"),
        ("ws://relay.example.com:65535", "ws://relay.example.com:65535"),
        // Paths kept (Go dropped them), one trailing slash dropped.
        ("wss://relay.example.com/nostr", "wss://relay.example.com/nostr"),
        ("wss://relay.example.com/", "wss://relay.example.com"),
        ("wss://relay.example.com/nostr/", "wss://relay.example.com/nostr"),
        ("wss://filter.nostr.wine/npub1abc?broadcast=true", "wss://filter.nostr.wine/npub1abc?broadcast=true"),
        ("wss://relay.example.com:443/a/b/", "wss://relay.example.com/a/b"),
        // Query kept, fragment dropped, an empty query dropped.
        ("wss://relay.example.com?x=1", "wss://relay.example.com?x=1"),
        ("wss://relay.example.com/?x=1", "wss://relay.example.com?x=1"),
        ("wss://relay.example.com/#top", "wss://relay.example.com"),
        ("wss://relay.example.com/nostr?x=1#frag", "wss://relay.example.com/nostr?x=1"),
        ("wss://relay.example.com/nostr?", "wss://relay.example.com/nostr"),
        ("wss://relay.example.com#", "wss://relay.example.com"),
        // IPv6 keeps its brackets (Go dropped them), in shortest lowercase form, with or without port.
        ("wss://[2001:db8::1]", "wss://[2001:db8::1]"),
        ("wss://[2001:db8::1]:8080", "wss://[2001:db8::1]:8080"),
        ("wss://[2001:DB8:0:0:0:0:0:1]:443/nostr", "wss://[2001:db8::1]/nostr"),
        ("ws://[::1]:7777", "ws://[::1]:7777"),
        ("[2606:4700::1111]", "wss://[2606:4700::1111]"),
        // IPv4 literals, odd forms to the dotted quad they mean.
        ("ws://127.0.0.1:7777", "ws://127.0.0.1:7777"),
        ("wss://2130706433", "wss://127.0.0.1"),
        ("ws://0x7f.1:7777", "ws://127.0.0.1:7777"),
        ("wss://8.8.8.8", "wss://8.8.8.8"),
        // Syntactic only: private and special-use hosts pass (the address policy refuses them).
        ("ws://localhost:7777", "ws://localhost:7777"),
        ("wss://abcdefghijklmnop.onion", "wss://abcdefghijklmnop.onion"),
        ("ws://192.168.1.10", "ws://192.168.1.10"),
        // Underscores and a final dot.
        ("wss://my_relay.example.com", "wss://my_relay.example.com"),
        ("wss://relay.example.com.", "wss://relay.example.com"),
        ("wss://relay.example.com.:8080/x", "wss://relay.example.com:8080/x"),
    ]

    @Test(arguments: accepted)
    func acceptedURLsTakeTheirCanonicalForm(_ raw: String, _ expected: String) throws {
        #expect(try RelayURLNormalizer.normalize(raw) == expected)
    }

    @Test(arguments: accepted)
    func normalizingIsIdempotent(_ raw: String, _ expected: String) throws {
        let once = try RelayURLNormalizer.normalize(raw)
        #expect(try RelayURLNormalizer.normalize(once) == once)
    }

    /// Rejected inputs and why.
    static let rejected: [(String, RelayURLError.Reason)] = [
        ("", .empty),
        ("  ", .empty),
        ("\n\t", .empty),
        // Go made these `wss://https://x`, the host "https"; any non-ws scheme is an error here.
        ("https://x", .unsupportedScheme("https")),
        ("http://relay.example.com", .unsupportedScheme("http")),
        ("HTTPS://relay.example.com", .unsupportedScheme("https")),
        ("wsss://relay.example.com", .unsupportedScheme("wsss")),
        ("ftp://relay.example.com", .unsupportedScheme("ftp")),
        ("://relay.example.com", .unsupportedScheme("")),
        // No host.
        ("wss://", .missingHost),
        ("wss:///path", .missingHost),
        ("wss://:443", .missingHost),
        ("wss://?x=1", .missingHost),
        ("wss://[]", .missingHost),
        // Schemes mistyped without "://": not turned into hosts.
        ("ws//host", .emptyPathSegment),
        ("ws:/host", .invalidPort),
        ("wss:relay.example.com", .invalidPort),
        ("https:x", .invalidPort),
        // Credentials.
        ("wss://user:pw@host", .credentials),
        ("wss://user@host", .credentials),
        ("wss://@host", .credentials),
        ("relay.example.com@evil.example", .credentials),
        // Ports.
        ("wss://host:99999", .invalidPort),
        ("wss://host:65536", .invalidPort),
        ("wss://host:0", .invalidPort),
        ("wss://host:", .invalidPort),
        ("wss://host:http", .invalidPort),
        ("wss://host:+443", .invalidPort),
        ("wss://host:-1", .invalidPort),
        ("wss://host:000443", .invalidPort),
        ("wss://[2001:db8::1]:0", .invalidPort),
        ("wss://[2001:db8::1]x", .invalidHost),
        // Whitespace and control characters inside.
        ("wss://ho st", .whitespaceOrControl),
        ("wss://host/pa th", .whitespaceOrControl),
        ("wss://host\u{0}", .whitespaceOrControl),
        ("wss://host/\u{7F}", .whitespaceOrControl),
        ("wss://host/\u{85}x", .whitespaceOrControl),
        ("wss://ho\u{A0}st", .whitespaceOrControl),
        // Hosts with characters no host name has, or malformed.
        ("wss://relay!.example.com", .invalidHost),
        ("wss://relay%2eexample.com", .invalidHost),
        ("wss://rélay.example.com", .invalidHost),
        ("wss://relay..example.com", .invalidHost),
        ("wss://.example.com", .invalidHost),
        ("wss://relay.example.com..", .invalidHost),
        ("wss://relay\\example.com", .invalidHost),
        ("wss://" + String(repeating: "a", count: 64) + ".com", .invalidHost),
        ("wss://" + String(repeating: "abcdefghi.", count: 26) + "com", .invalidHost),
        ("wss://[2001:db8::1", .invalidHost),
        ("wss://[relay.example.com]", .invalidHost),
        ("wss://[127.0.0.1]", .invalidHost),
        ("wss://[fe80::1%25eth0]", .invalidHost),
        ("wss://2001:db8::1", .invalidPort),
        // Empty path segments.
        ("wss://host//", .emptyPathSegment),
        ("wss://host//nostr", .emptyPathSegment),
        ("wss://host/a//b/", .emptyPathSegment),
        // Too long.
        ("wss://relay.example.com/" + String(repeating: "a", count: 2048), .tooLong),
    ]

    @Test(arguments: rejected)
    func rejectedURLsSayWhy(_ raw: String, _ reason: RelayURLError.Reason) {
        #expect(throws: RelayURLError(reason, input: raw)) { try RelayURLNormalizer.normalize(raw) }
    }

    @Test func theLengthLimitIsInBytesAndInclusive() throws {
        let prefix = "wss://relay.example.com/"
        let fits = prefix + String(repeating: "a", count: RelayURLNormalizer.maximumBytes - prefix.utf8.count)
        #expect(try RelayURLNormalizer.normalize(fits) == fits)
        #expect(throws: RelayURLError(.tooLong, input: fits + "a")) { try RelayURLNormalizer.normalize(fits + "a") }
        // Two bytes a character: 1,013 of them are over the limit though the count of characters is not.
        let wide = prefix + String(repeating: "é", count: 1013)
        #expect(wide.count < RelayURLNormalizer.maximumBytes)
        #expect(throws: RelayURLError(.tooLong, input: wide)) { try RelayURLNormalizer.normalize(wide) }
    }

    @Test func theErrorNamesTheURLAndTheReason() {
        let error = RelayURLError(.unsupportedScheme("https"), input: "https://x")
        #expect(error.description == #"invalid relay URL "https://x": the scheme "https" is not ws or wss"#)
        #expect(RelayURLError(.empty, input: String(repeating: "x", count: 500)).input.count == 200)
    }

    @Test(arguments: [
        "ws://localhost:7777", "wss://relay.localhost", "ws://localhost.", "wss://abcdefghijklmnop.onion",
        "wss://printer.local", "ws://127.0.0.1:7777", "ws://10.0.0.1", "ws://172.16.5.4/nostr", "wss://192.168.1.10",
        "wss://169.254.169.254", "wss://100.64.0.1", "wss://0.0.0.0", "wss://[::1]:7777", "wss://[fd00::2]",
        "wss://[fe80::1]", "wss://[::ffff:127.0.0.1]", "wss://[64:ff9b::a00:1]", "wss://2130706433",
        "not a url", "wss://", "wss://[::1",
    ])
    func obviouslyPrivateHostsAreToldWithoutDNS(_ url: String) {
        #expect(RelayURLNormalizer.isObviouslyPrivate(url))
    }

    @Test(arguments: [
        "wss://relay.damus.io", "wss://nos.lol/", "wss://8.8.8.8:7777", "wss://[2606:4700::1111]",
        "wss://[2606:4700::1111]:8080/nostr", "wss://172.32.0.1", "wss://local.example.com",
        "wss://onion.example.com", "wss://localhost.example.com", "wss://relay.example.com?x=localhost",
        "wss://relay.internal.example",
    ])
    func publicLookingHostsAreNot(_ url: String) {
        #expect(!RelayURLNormalizer.isObviouslyPrivate(url))
    }

    @Test func everyNormalizedPrivateURLIsStillRecognised() throws {
        for raw in ["ws://LOCALHOST:7777/", "wss://0x7f.1", "WSS://[::FFFF:7F00:1]/nostr/", "192.168.0.1:8080"] {
            #expect(RelayURLNormalizer.isObviouslyPrivate(try RelayURLNormalizer.normalize(raw)))
        }
    }
}
