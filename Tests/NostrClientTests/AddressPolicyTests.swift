import Hummingbird
import Logging
import PurplePagesTestSupport
import Synchronization
import Testing

@testable import NostrClient

#if canImport(Glibc)
import Glibc
#endif

/// Which addresses are public unicast, judged from their bytes.
@Suite("AddressPolicy: the IP address classifier")
struct AddressPolicyClassifierTests {
    /// Every refused range at both of its ends.
    @Test(arguments: [
        "0.0.0.0", "0.255.255.255", "10.0.0.0", "10.255.255.255", "100.64.0.0", "100.127.255.255", "127.0.0.1",
        "127.255.255.255", "169.254.0.0", "169.254.169.254", "169.254.255.255", "172.16.0.0", "172.31.255.255",
        "192.0.0.0", "192.0.0.255", "192.0.2.0", "192.0.2.255", "192.88.99.0", "192.88.99.255", "192.168.0.0",
        "192.168.255.255", "198.18.0.0", "198.19.255.255", "198.51.100.0", "198.51.100.255", "203.0.113.0",
        "203.0.113.255", "224.0.0.0", "239.255.255.255", "240.0.0.0", "255.255.255.255",
    ])
    func nonPublicIPv4(_ address: String) throws {
        #expect(!IPAddressClassifier.isPublicUnicast(try #require(IPAddressLiteral.bytes(address))))
    }

    /// The neighbours just outside each refused range, and well-known public resolvers.
    @Test(arguments: [
        "1.0.0.0", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "126.255.255.255", "128.0.0.0",
        "169.253.255.255", "169.255.0.0", "172.15.255.255", "172.32.0.0", "192.0.1.0", "192.0.3.0",
        "192.88.98.255", "192.88.100.0", "192.167.255.255", "192.169.0.0", "198.17.255.255", "198.20.0.0",
        "198.51.99.255", "198.51.101.0", "203.0.112.255", "203.0.114.0", "223.255.255.255", "8.8.8.8", "1.1.1.1",
    ])
    func publicIPv4(_ address: String) throws {
        #expect(IPAddressClassifier.isPublicUnicast(try #require(IPAddressLiteral.bytes(address))))
    }

    @Test(arguments: [
        "::", "::1", "::2",
        // IPv4-mapped, IPv4-compatible, NAT64 and 6to4 forms of non-public IPv4 addresses.
        "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:0.0.0.0", "::ffff:169.254.169.254", "::127.0.0.1",
        "::192.168.1.1", "64:ff9b::10.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::", "2002:c0a8:101::1",
        "2002:a9fe:a9fe::",
        // Local-use NAT64 is refused whatever it embeds; 64:ff9b:: with more than an IPv4 address is
        // outside 2000::/3.
        "64:ff9b:1::8.8.8.8", "64:ff9b::1:0:808:808",
        "100::", "100::ffff:ffff:ffff:ffff", "2001::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2",
        "2001:0:ffff:ffff:ffff:ffff:ffff:ffff", "2001:2::1", "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
        "3fff::1", "3fff:fff:ffff::1", "fc00::", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe80::1",
        "febf:ffff::1", "fec0::1", "feff::1", "ff00::", "ff02::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        // Just outside 2000::/3 on either side.
        "1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "4000::",
    ])
    func nonPublicIPv6(_ address: String) throws {
        #expect(!IPAddressClassifier.isPublicUnicast(try #require(IPAddressLiteral.bytes(address))))
    }

    @Test(arguments: [
        "2606:4700::1111", "2001:4860:4860::8888", "2000::", "3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        "3fff:1000::1", "2001:1::1", "2001:3::1", "2001:db7:ffff::1", "2001:db9::1", "2003::1",
        // The same forms embedding a public IPv4 address.
        "::ffff:8.8.8.8", "::8.8.8.8", "64:ff9b::8.8.8.8", "2002:808:808::1",
    ])
    func publicIPv6(_ address: String) throws {
        #expect(IPAddressClassifier.isPublicUnicast(try #require(IPAddressLiteral.bytes(address))))
    }

    @Test func onlyFourOrSixteenBytesAreAnAddress() {
        for count in [0, 3, 5, 15, 17] {
            #expect(!IPAddressClassifier.isPublicUnicast([UInt8](repeating: 8, count: count)))
        }
        #expect(IPAddressClassifier.isPublicUnicast([8, 8, 8, 8]))
    }
}

/// IP literals read as the C library reads them, so that the odd forms are recognised too.
@Suite("AddressPolicy: IP address literals")
struct AddressPolicyLiteralTests {
    @Test(
        arguments: [
            ("127.0.0.1", [127, 0, 0, 1]), ("2130706433", [127, 0, 0, 1]), ("0x7f.1", [127, 0, 0, 1]),
            ("0X7F000001", [127, 0, 0, 1]), ("0177.0.0.1", [127, 0, 0, 1]), ("017700000001", [127, 0, 0, 1]),
            ("127.1", [127, 0, 0, 1]), ("10.0x10.1", [10, 16, 0, 1]), ("0", [0, 0, 0, 0]),
            ("4294967295", [255, 255, 255, 255]), ("1.2.65535", [1, 2, 255, 255]),
        ] as [(String, [UInt8])])
    func ipv4InEveryFormInetAtonTakes(_ text: String, _ expected: [UInt8]) {
        #expect(IPAddressLiteral.bytes(text) == expected)
    }

    @Test(arguments: [
        "", "256.1.1.1", "1.2.3.4.5", "1..2", "1.2.3.", "08", "0x", "0x+5", "+1", "-1", "1.2.3.4 ", "4294967296",
        "1.16777216", "1.2.65536", "example.com", "1e3", "[::1", "::g", "1:2:3:4:5:6:7:8:9", "١٢٧.0.0.1",
    ])
    func notALiteral(_ text: String) {
        #expect(IPAddressLiteral.bytes(text) == nil)
    }

    @Test func ipv6WithBracketsAndZone() throws {
        let loopback = [UInt8](repeating: 0, count: 15) + [1]
        #expect(IPAddressLiteral.bytes("::1") == loopback)
        #expect(IPAddressLiteral.bytes("[::1]") == loopback)
        #expect(try #require(IPAddressLiteral.bytes("fe80::1%eth0")).prefix(2) == [0xFE, 0x80])
    }

    @Test func addressesAsText() throws {
        #expect(IPAddressLiteral.text([127, 0, 0, 1]) == "127.0.0.1")
        #expect(
            IPAddressLiteral.text(try #require(IPAddressLiteral.bytes("2606:4700:0:0:0:0:0:1111"))) == "2606:4700::1111"
        )
        #expect(IPAddressLiteral.text(try #require(IPAddressLiteral.bytes("::ffff:7f00:1"))) == "::ffff:127.0.0.1")
        #expect(IPAddressLiteral.text([1, 2, 3]) == nil)
    }
}

/// `.publicOnly` over real sockets: what it refuses never reaches the listener; `.any` still
/// connects to loopback.
@Suite("AddressPolicy: connecting")
struct AddressPolicyConnectionTests {
    /// URLs whose host is, or resolves to, loopback or "this host"; `PORT` is the listener's.
    @Test(arguments: [
        "ws://127.0.0.1:PORT", "ws://localhost:PORT", "ws://LOCALHOST.:PORT", "ws://[::1]:PORT",
        "ws://[::ffff:127.0.0.1]:PORT", "ws://[::127.0.0.1]:PORT", "ws://[::]:PORT", "ws://2130706433:PORT",
        "ws://0x7f.1:PORT", "ws://0177.0.0.1:PORT", "ws://0:PORT", "wss://127.0.0.1:PORT/nostr",
    ])
    func aLoopbackHostIsRefusedAndNeverConnected(_ template: String) async throws {
        let listener = try LoopbackListener()
        let url = template.replacing("PORT", with: "\(listener.port)")
        await #expect {
            try await RelayClient.connect(to: url, configuration: publicOnly)
        } throws: { error in
            guard case .addressRefused(let text) = error as? RelayClientError else { return false }
            return text.hasPrefix(url)
        }
        #expect(listener.takeConnections() == 0)
    }

    @Test(arguments: [
        "ws://x.onion", "wss://abcdef.onion/inbox", "ws://printer.local", "ws://printer.local.:8080",
        "ws://relay.localhost:7777", "wss://X.ONION",
    ])
    func specialUseNamesAreRefusedWithoutALookup(_ url: String) async throws {
        await #expect {
            try await RelayClient.connect(to: url, configuration: publicOnly)
        } throws: { error in
            guard case .addressRefused(let text) = error as? RelayClientError else { return false }
            return text.hasPrefix(url)
        }
    }

    /// The DNS path: a name (this machine's own, which resolves to loopback here) whose every
    /// address is non-public. Skipped where the host name resolves elsewhere.
    @Test(.enabled("this machine's name must resolve to loopback only") { await ownHostNameResolvesToLoopback() })
    func aNameResolvingOnlyToNonPublicAddressesIsRefused() async throws {
        let listener = try LoopbackListener()
        let name = ownHostName()
        let url = "ws://\(name):\(listener.port)"
        await #expect {
            try await RelayClient.connect(to: url, configuration: publicOnly)
        } throws: { error in
            guard case .addressRefused(let text) = error as? RelayClientError else { return false }
            return text.hasPrefix("\(url): \(name) resolves only to non-public addresses (127.")
        }
        #expect(listener.takeConnections() == 0)
        // The same name under `.any` does reach the listener: the refusal above was the policy's.
        var anyAddress = RelayClientConfiguration()
        anyAddress.connectTimeout = .milliseconds(300)
        await #expect(throws: RelayClientError.self) {
            try await RelayClient.connect(to: url, configuration: anyAddress)
        }
        #expect(listener.takeConnections() == 1)
    }

    @Test func aFailedLookupIsAConnectionFailureNotARefusal() async throws {
        await #expect {
            try await RelayClient.connect(to: "ws://no-such-host.invalid", configuration: publicOnly)
        } throws: { error in
            guard case .connectionFailed(let text) = error as? RelayClientError else { return false }
            return text.contains("DNS lookup failed")
        }
    }

    @Test func publicLiteralsPassThePolicyAsIPLiterals() async throws {
        for (url, host) in [
            ("ws://8.8.8.8", "8.8.8.8"), ("wss://[2606:4700::1111]", "2606:4700::1111"),
            ("ws://0x8080808", "8.8.8.8"), ("ws://[::ffff:8.8.8.8]:7777", "::ffff:8.8.8.8"),
        ] {
            let chosen = try await AddressResolver.connectHost(
                for: try RelayURL(url), policy: .publicOnly, timeout: patience)
            #expect(chosen == host)
        }
        // `.any` leaves the host to NIO, as before.
        let any = try await AddressResolver.connectHost(
            for: try RelayURL("ws://localhost:1"), policy: .any, timeout: patience)
        #expect(any == "localhost")
    }

    /// The listener does count a connection: `.any` reaches it (and times out, since it never answers).
    @Test func theDefaultPolicyStillConnectsToLoopback() async throws {
        let listener = try LoopbackListener()
        var configuration = RelayClientConfiguration()
        configuration.connectTimeout = .milliseconds(300)
        #expect(configuration.addressPolicy == .any)
        await #expect {
            try await RelayClient.connect(to: "ws://127.0.0.1:\(listener.port)", configuration: configuration)
        } throws: { error in
            guard case .timedOut = error as? RelayClientError else { return false }
            return true
        }
        #expect(listener.takeConnections() == 1)

        for host in ["127.0.0.1", "localhost"] {
            try await withWebSocketServer(script: { connection in
                try await connection.send(#"["NOTICE","hello"]"#)
                try await connection.stayOpen()
            }) { port in
                try await withRelayClient(port: port, host: host) { client async throws in
                    #expect(try await client.receive(timeout: patience) == .notice("hello"))
                }
            }
        }
    }

    /// A redirect in answer to the upgrade is not followed, so it cannot lead past the policy.
    @Test func aRedirectAnsweringTheUpgradeFailsTheConnect() async throws {
        let target = try LoopbackListener()
        let redirects = try await withRedirectingServer(to: "ws://127.0.0.1:\(target.port)/") { port in
            await #expect {
                try await RelayClient.connect(to: "ws://127.0.0.1:\(port)")
            } throws: { error in
                guard case .connectionFailed(let text) = error as? RelayClientError else { return false }
                return text.contains("did not accept the WebSocket upgrade")
            }
        }
        #expect(redirects == 1)
        #expect(target.takeConnections() == 0)
    }

    private var publicOnly: RelayClientConfiguration {
        var configuration = RelayClientConfiguration()
        configuration.addressPolicy = .publicOnly
        return configuration
    }
}

/// This machine's host name.
private func ownHostName() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count) == 0 else { return "" }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Whether `ownHostName()` resolves, through the system resolver, to IPv4 loopback addresses only.
private func ownHostNameResolvesToLoopback() async -> Bool {
    let name = ownHostName()
    guard !name.isEmpty, IPAddressLiteral.bytes(name) == nil else { return false }
    let outcome = await AddressResolver.lookUp(name, timeout: .seconds(5))
    guard case .addresses(let addresses) = outcome, !addresses.isEmpty else { return false }
    return addresses.allSatisfy { $0.count == 4 && $0[0] == 127 }
}

/// Runs `body` with the port of an HTTP server on 127.0.0.1 that answers every `GET /`, the
/// WebSocket upgrade included, with `301 Moved Permanently` to `location`; returns how many
/// redirects it sent.
private func withRedirectingServer(to location: String, _ body: (Int) async throws -> Void) async throws -> Int {
    let redirects = RequestCount()
    let router = Router()
    router.get("/") { _, _ in
        redirects.value.withLock { $0 += 1 }
        return Response.redirect(to: location, type: .permanent)
    }
    var logger = Logger(label: "redirecting-server")
    logger.logLevel = .critical
    try await withLoopbackServer(named: "the redirecting server", body: body) { onServerRunning in
        Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: onServerRunning, logger: logger)
    }
    return redirects.value.withLock { $0 }
}

/// A count the server's handlers add to.
private final class RequestCount: Sendable {
    let value = Mutex(0)
}

/// Non-blocking TCP listeners on 127.0.0.1 and, if the machine has it, [::1], on one port. Nothing
/// is accepted until `takeConnections`, which counts what the kernel completed meanwhile: a
/// connection the client made shows up there even if it was closed since.
final class LoopbackListener: @unchecked Sendable {
    let port: Int
    private let sockets: [Int32]

    init() throws {
        let v4 = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard v4 >= 0 else { throw TestFailure("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(v4, $0, length) }
        }
        guard bound == 0, listen(v4, 16) == 0, fcntl(v4, F_SETFL, O_NONBLOCK) == 0 else {
            close(v4)
            throw TestFailure("bind/listen failed: errno \(errno)")
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(v4, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        var sockets = [v4]
        // [::1] on the same port, where IPv6 is available: an IPv6 URL has something to reach.
        let v6 = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        if v6 >= 0 {
            var only: Int32 = 1
            setsockopt(v6, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &only, socklen_t(MemoryLayout<Int32>.size))
            var address6 = sockaddr_in6()
            address6.sin6_family = sa_family_t(AF_INET6)
            address6.sin6_port = UInt16(port).bigEndian
            address6.sin6_addr = in6addr_loopback
            let bound6 = withUnsafePointer(to: &address6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(v6, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
            if bound6 == 0, listen(v6, 16) == 0, fcntl(v6, F_SETFL, O_NONBLOCK) == 0 {
                sockets.append(v6)
            } else {
                close(v6)
            }
        }
        self.sockets = sockets
    }

    deinit {
        for socket in sockets { close(socket) }
    }

    /// How many connections were completed since the last call (each is accepted and closed).
    func takeConnections() -> Int {
        var count = 0
        for socket in sockets {
            while true {
                let connection = accept(socket, nil, nil)
                guard connection >= 0 else { break }
                close(connection)
                count += 1
            }
        }
        return count
    }
}
