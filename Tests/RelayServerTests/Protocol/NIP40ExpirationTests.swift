import Foundation
import NostrCore
import PurplePagesTestSupport
import Testing

/// Expiring events end to end (NIP-40).
@Suite("NIP-40 over WebSockets")
struct NIP40ExpirationTests {
    @Test func expiredEventsAreRefusedAndStopBeingServed() async throws {
        try await withTestRelay { _, port async throws in
            try await withClient(port: port) { client async throws in
                let expired = KeyPair.generate().event(.metadata, tags: [["expiration", String(unixNow - 10)]])
                #expect(try await client.publish(expired).accepted == false)
                #expect(try await client.request("e0", [Filter(ids: [expired.id])]).isEmpty)

                let author = KeyPair.generate()
                let shortLived = author.event(.metadata, tags: [["expiration", String(unixNow + 2)]])
                #expect(try await client.publish(shortLived).accepted)
                #expect(try await client.request("e1", [Filter(ids: [shortLived.id])]) == [shortLived])
                try await Task.sleep(for: .milliseconds(3200))
                #expect(try await client.request("e2", [Filter(ids: [shortLived.id])]).isEmpty)
                #expect(
                    try await client.request("e3", [Filter(authors: [author.publicKey], kinds: [.metadata])]).isEmpty)
            }
        }
    }
}
