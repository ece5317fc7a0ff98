import Foundation
import NostrCore
import PurplePagesTestSupport
import Testing

/// Authentication (NIP-42) and protected events (NIP-70) end to end.
@Suite("NIP-42 and NIP-70 over WebSockets")
struct NIP42AuthenticationTests {
    @Test func authWithTheGreetingChallengeSucceeds() async throws {
        try await withTestRelay { _, port async throws in
            try await withClient(port: port) { client async throws in
                #expect(client.challenge.count >= 16)
                let ok = try await client.authenticate(as: .generate())
                #expect(ok.accepted, "\(ok.message)")
                await client.expectResponsive()
            }
        }
    }

    @Test func authWithAWrongChallengeOrRelayFails() async throws {
        try await withTestRelay { _, port async throws in
            try await withClients(port: port, count: 2) { clients async throws in
                let client = clients[0]
                let wrongChallenge = try await client.authenticate(as: .generate(), challenge: clients[1].challenge)
                #expect(!wrongChallenge.accepted)
                #expect(
                    wrongChallenge.message.hasPrefix("invalid:") || wrongChallenge.message.hasPrefix("auth-required:"))
                let wrongRelay = try await client.authenticate(as: .generate(), relayURL: "wss://relay.example.com")
                #expect(!wrongRelay.accepted)
                // Signed an hour ago: stale.
                let stale = RelayAuthentication.makeEvent(
                    challenge: client.challenge, relayURL: client.relayURL, keyPair: .generate(),
                    createdAt: unixNow - 3600)
                try await client.send(#"["AUTH","# + stale.jsonString + "]")
                #expect(try await client.ok(for: stale.id.hex).accepted == false)
                // Not kind 22242.
                let wrongKind = KeyPair.generate().sign(
                    kind: .metadata, tags: [["relay", client.relayURL], ["challenge", client.challenge]], content: "",
                    createdAt: unixNow)
                try await client.send(#"["AUTH","# + wrongKind.jsonString + "]")
                #expect(try await client.ok(for: wrongKind.id.hex).accepted == false)
                // A wrong attempt does not authenticate: a protected event is still refused.
                let author = KeyPair.generate()
                _ = try await client.authenticate(as: author, challenge: "not-the-challenge")
                let protected = author.event(.metadata, tags: [["-"]])
                #expect(try await client.publish(protected).message.hasPrefix("auth-required:"))
            }
        }
    }

    @Test func protectedEventsNeedTheirAuthor() async throws {
        try await withTestRelay { _, port async throws in
            try await withClients(port: port, count: 2) { clients async throws in
                let (client, stranger) = (clients[0], clients[1])
                let author = KeyPair.generate()
                let protected = author.event(.metadata, tags: [["-"]], content: #"{"name":"private"}"#)

                let before = try await client.publish(protected)
                #expect(!before.accepted)
                #expect(before.message.hasPrefix("auth-required:"), "\(before.message)")
                let challenge = try await client.take("AUTH after auth-required") { $0.type == "AUTH" }
                #expect(challenge.string(1) == client.challenge)

                // Authenticated as someone else: restricted.
                #expect(try await stranger.authenticate(as: .generate()).accepted)
                let other = try await stranger.publish(protected)
                #expect(!other.accepted)
                #expect(other.message.hasPrefix("restricted:"), "\(other.message)")

                #expect(try await client.authenticate(as: author).accepted)
                #expect(try await client.publish(protected) == (true, ""))
                #expect(try await client.requestRaw("p", [Filter(ids: [protected.id])]) == [protected.jsonString])
            }
        }
    }
}
