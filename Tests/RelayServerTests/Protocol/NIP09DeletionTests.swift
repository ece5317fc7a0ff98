import Foundation
import NostrCore
import PurplePagesTestSupport
import Testing

/// Deletion requests end to end (NIP-09): by id and by address, only by the author.
@Suite("NIP-09 deletions over WebSockets")
struct NIP09DeletionTests {
    @Test func deletionByTheAuthorRemovesTheEventAndByOthersDoesNot() async throws {
        try await withTestRelay { _, port async throws in
            try await withClient(port: port) { client async throws in
                let alice = KeyPair.generate()
                let mallory = KeyPair.generate()
                let now = unixNow
                let target = alice.event(.followList, tags: [["p", mallory.publicKey.hex]], at: now - 100)
                #expect(try await client.publish(target).accepted)

                // Someone else's deletion request does nothing to alice's event.
                let forged = mallory.event(.deletion, tags: [["e", target.id.hex], ["k", "3"]], at: now - 50)
                _ = try await client.publish(forged)
                #expect(try await client.request("t1", [Filter(ids: [target.id])]) == [target])

                let deletion = alice.event(
                    .deletion, tags: [["e", target.id.hex], ["k", "3"]], content: "oops", at: now - 50)
                #expect(try await client.publish(deletion).accepted)
                #expect(try await client.request("t2", [Filter(ids: [target.id])]).isEmpty)
                #expect(
                    try await client.request("t3", [Filter(authors: [alice.publicKey], kinds: [.followList])]).isEmpty)
                // The deletion request itself is served.
                #expect(
                    try await client.request("t4", [Filter(authors: [alice.publicKey], kinds: [.deletion])]) == [
                        deletion
                    ])
                // Publishing the deleted event again does not bring it back.
                _ = try await client.publish(target)
                #expect(try await client.request("t5", [Filter(ids: [target.id])]).isEmpty)
                // A deletion request against a deletion request has no effect (NIP-09).
                let undo = alice.event(.deletion, tags: [["e", deletion.id.hex], ["k", "5"]], at: now - 40)
                _ = try await client.publish(undo)
                #expect(try await client.request("t6", [Filter(ids: [deletion.id])]) == [deletion])
                #expect(try await client.request("t7", [Filter(ids: [target.id])]).isEmpty)
            }
        }
    }

    @Test func deletionByAddressRemovesReplaceableVersionsUpToItsTime() async throws {
        try await withTestRelay { _, port async throws in
            try await withClient(port: port) { client async throws in
                let alice = KeyPair.generate()
                let now = unixNow
                let profile = alice.event(.metadata, content: #"{"name":"old"}"#, at: now - 100)
                #expect(try await client.publish(profile).accepted)
                // Someone else naming alice's address deletes nothing.
                let forged = KeyPair.generate().event(
                    .deletion, tags: [["a", "0:\(alice.publicKey.hex):"], ["k", "0"]], at: now - 50)
                _ = try await client.publish(forged)
                #expect(
                    try await client.request("p0", [Filter(authors: [alice.publicKey], kinds: [.metadata])]) == [
                        profile
                    ])
                let deletion = alice.event(
                    .deletion, tags: [["a", "0:\(alice.publicKey.hex):"], ["k", "0"]], at: now - 50)
                #expect(try await client.publish(deletion).accepted)
                #expect(
                    try await client.request("p1", [Filter(authors: [alice.publicKey], kinds: [.metadata])]).isEmpty)
                // A version newer than the deletion request is unaffected.
                let newer = alice.event(.metadata, content: #"{"name":"new"}"#, at: now - 10)
                #expect(try await client.publish(newer).accepted)
                #expect(
                    try await client.request("p2", [Filter(authors: [alice.publicKey], kinds: [.metadata])]) == [newer])
            }
        }
    }
}
