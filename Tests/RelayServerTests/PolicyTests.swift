import Foundation
import NostrCore
import NostrCoreTesting
import PurplePagesTestSupport
import RelayServer
import Testing

/// Analytics results as the relay would load them: a fixed number of trusted followers per pubkey.
private struct FixedTrustedFollowers: TrustedFollowerProvider {
    let counts: [PublicKeyHex: Int]
    func trustedFollowerCount(of pubkey: PublicKeyHex) -> Int { counts[pubkey] ?? 0 }
}

@Suite("Per-IP policy over WebSockets")
struct PolicyTests {
    /// Past the daily budget an authenticated pubkey with enough trusted followers is still served;
    /// one with too few is refused `rate-limited:` (authenticating does not help it).
    @Test func trustedHeavyUsersAreExemptFromTheDailyBudget() async throws {
        let trusted = KeyPair.generate()
        let ordinary = KeyPair.generate()
        let provider = FixedTrustedFollowers(counts: [trusted.publicKey.hex: 5, ordinary.publicKey.hex: 4])
        try await withTestRelay(
            configure: {
                $0.limits.eventsPerDayLimit = 2
                $0.limits.minTrustedFollowers = 5
            }, trustedFollowers: provider
        ) { _, port async throws in
            try await withClients(port: port, count: 2) { clients async throws in
                let (heavy, other) = (clients[0], clients[1])
                for _ in 0..<3 { #expect(try await heavy.publish(KeyPair.generate().event(.metadata)).accepted) }
                // Both connections come from 127.0.0.1, so they share one budget: spend it.
                #expect(try await heavy.requestRaw("spend", [Filter(kinds: [.metadata])]).count == 3)
                #expect(try await heavy.authenticate(as: trusted).accepted)
                #expect(try await heavy.requestRaw("exempt", [Filter(kinds: [.metadata])]).count == 3)
                #expect(try await other.authenticate(as: ordinary).accepted)
                try await other.send(request: "refused", [Filter(kinds: [.metadata])])
                let refused = try await other.take("reply to refused") { $0.string(1) == "refused" }
                #expect(refused.type == "CLOSED", "\(refused)")
                #expect(refused.string(2)?.hasPrefix("rate-limited:") == true, "\(refused)")
            }
        }
    }

    @Test func connectionsBeyondTheBurstGetANoticeAndAreClosed() async throws {
        try await withTestRelay(configure: {
            $0.limits.connectionRate = 0.001
            $0.limits.connectionBurst = 2
        }) { _, port async throws in
            let first = try await RawWebSocket.connect(port: port)
            #expect(await first.readText()?.hasPrefix(#"["AUTH""#) == true)
            let second = try await RawWebSocket.connect(port: port)
            #expect(await second.readText()?.hasPrefix(#"["AUTH""#) == true)
            let third = try await RawWebSocket.connect(port: port)
            let notice = await third.readText()
            #expect(notice?.hasPrefix(#"["NOTICE","rate-limited:"#) == true, "\(notice ?? "nothing")")
            #expect(await third.readFrame()?.opcode == 0x8, "a close frame follows the NOTICE")
            for socket in [first, second, third] { socket.close() }
            try await waitUntilOpenConnections(0, port: port)
        }
    }

    /// `X-Forwarded-For` decides whose connection budget is spent only when the peer is a trusted
    /// proxy: from 127.0.0.1 untrusted, every forwarded address shares the peer's budget.
    @Test(arguments: [true, false])
    func forwardedForIsHonouredOnlyFromTrustedProxies(trustLoopback: Bool) async throws {
        try await withTestRelay(configure: {
            $0.limits.connectionRate = 0.001
            $0.limits.connectionBurst = 1
            $0.trustedProxies = trustLoopback ? ["127.0.0.0/8"] : []
        }) { _, port async throws in
            // One at a time: the relay takes a connection's token after the upgrade, so the second
            // connects only once the first has its greeting.
            let alice = try await RawWebSocket.connect(port: port, headers: ["X-Forwarded-For": "203.0.113.7"])
            #expect(await alice.readText()?.hasPrefix(#"["AUTH""#) == true)
            let bob = try await RawWebSocket.connect(
                port: port, headers: ["X-Forwarded-For": "198.51.100.9, 127.0.0.1"])
            let greeting = await bob.readText()
            if trustLoopback {
                #expect(greeting?.hasPrefix(#"["AUTH""#) == true, "\(greeting ?? "nothing")")
            } else {
                #expect(greeting?.hasPrefix(#"["NOTICE","rate-limited:"#) == true, "\(greeting ?? "nothing")")
            }
            alice.close()
            bob.close()
            try await waitUntilOpenConnections(0, port: port)
        }
    }

    /// `X-Real-IP` (what nginx's documented configuration sets) decides whose connection budget is
    /// spent only when the peer is a trusted proxy; a value that is not an address counts as the peer.
    @Test(arguments: [true, false])
    func realIPIsHonouredOnlyFromTrustedProxies(trustLoopback: Bool) async throws {
        try await withTestRelay(configure: {
            $0.limits.connectionRate = 0.001
            $0.limits.connectionBurst = 1
            $0.trustedProxies = trustLoopback ? ["127.0.0.1/32"] : []
        }) { _, port async throws in
            func greeting(_ realIP: String) async throws -> (RawWebSocket, String) {
                let socket = try await RawWebSocket.connect(port: port, headers: ["X-Real-IP": realIP])
                return (socket, await socket.readText() ?? "nothing")
            }
            // One at a time: the relay takes a connection's token after the upgrade.
            let (alice, aliceGreeting) = try await greeting("203.0.113.7")
            #expect(aliceGreeting.hasPrefix(#"["AUTH""#), "\(aliceGreeting)")
            let (bob, bobGreeting) = try await greeting("198.51.100.9")
            var sockets = [alice, bob]
            if trustLoopback {
                #expect(bobGreeting.hasPrefix(#"["AUTH""#), "another client: \(bobGreeting)")
                // Junk counts as the proxy itself, whose one token the first junk connection takes.
                let (first, firstGreeting) = try await greeting("not-an-address")
                #expect(firstGreeting.hasPrefix(#"["AUTH""#), "\(firstGreeting)")
                let (second, secondGreeting) = try await greeting("203.0.113.7:8080")
                #expect(secondGreeting.hasPrefix(#"["NOTICE","rate-limited:"#), "\(secondGreeting)")
                sockets += [first, second]
            } else {
                #expect(bobGreeting.hasPrefix(#"["NOTICE","rate-limited:"#), "the peer's budget: \(bobGreeting)")
            }
            for socket in sockets { socket.close() }
            try await waitUntilOpenConnections(0, port: port)
        }
    }
}
