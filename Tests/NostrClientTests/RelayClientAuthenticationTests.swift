import NostrClient
import NostrCore
import PurplePagesTestSupport
import Testing

/// NIP-42: a client with a key answers the relay's challenge; our relay checks the answer.
@Suite("RelayClient: NIP-42 authentication")
struct RelayClientAuthenticationTests {
    @Test func aClientWithAKeyAnswersTheChallengeAndTheRelayAcceptsIt() async throws {
        try await withTestRelay { _, port async throws in
            let author = KeyPair.generate()
            try await withRelayClient(port: port, configure: { $0.authenticationKey = author.secretKey }) {
                client async throws in
                // The challenge is still delivered; the relay's OK for the answer follows it.
                guard case .auth = try await client.receive(timeout: patience) else {
                    Issue.record("the first message is not AUTH")
                    return
                }
                guard case .ok(_, let accepted, let message) = try await client.receive(timeout: patience) else {
                    Issue.record("no OK for the AUTH answer")
                    return
                }
                #expect(accepted, "\(message)")
                #expect(client.statistics.messagesSent == 1)
                // A protected event (NIP-70) is accepted only from its authenticated author.
                let protected = author.event(.metadata, tags: [["-"]], content: #"{"name":"me"}"#)
                let ok = try await client.publish(protected)
                #expect(ok.accepted, "\(ok.message)")
            }
        }
    }

    @Test func aClientWithoutAKeyDoesNotAnswer() async throws {
        try await withTestRelay { _, port async throws in
            try await withRelayClient(port: port) { client async throws in
                guard case .auth = try await client.receive(timeout: patience) else {
                    Issue.record("the first message is not AUTH")
                    return
                }
                let author = KeyPair.generate()
                let ok = try await client.publish(author.event(.metadata, tags: [["-"]], content: "{}"))
                #expect(ok.message.hasPrefix("auth-required:"), "\(ok.message)")
                #expect(client.statistics.messagesSent == 1)
            }
        }
    }
}
