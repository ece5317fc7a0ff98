import Foundation
import NostrCore
import PurplePagesTestSupport
import Testing

/// Publishing and querying events end to end (NIP-01): a real relay on 127.0.0.1, real WebSocket
/// clients, events served byte for byte, replaceable and addressable versions.
@Suite("NIP-01 events over WebSockets")
struct NIP01EventTests {
    @Test func publishThenQueryReturnsTheExactJSON() async throws {
        try await withTestRelay { _, port async throws in
            try await withClient(port: port) { client async throws in
                let author = KeyPair.generate()
                let profile = author.event(
                    .metadata, content: #"{"name":"alice","about":"line\nbreak \"quoted\" é 🎉"}"#)
                let ok = try await client.publish(profile)
                #expect(ok.accepted)
                #expect(ok.message == "")
                let byAuthor = try await client.requestRaw(
                    "q1", [Filter(authors: [author.publicKey], kinds: [.metadata])])
                #expect(byAuthor == [profile.jsonString])
                let byID = try await client.requestRaw("q2", [Filter(ids: [profile.id])])
                #expect(byID == [profile.jsonString])
                // Publishing it again is a duplicate, accepted.
                let again = try await client.publish(profile)
                #expect(again.accepted)
                #expect(again.message.hasPrefix("duplicate:"))
            }
        }
    }

    @Test func nonCompactEventIsServedCompact() async throws {
        try await withTestRelay { _, port async throws in
            try await withClient(port: port) { client async throws in
                let author = KeyPair.generate()
                let event = author.event(.metadata, content: #"{"name":"spacey"}"#)
                // The same fields, reordered and spread out.
                let spaced = """
                    { "sig" : "\(event.sig.hex)", "kind": 0, "content" : \(NostrTestClient.quoted(event.content)),
                      "tags" : [ ], "created_at" : \(event.createdAt), "pubkey" : "\(author.publicKey.hex)",
                      "id" : "\(event.id.hex)" }
                    """
                let ok = try await client.publish(rawEvent: spaced, id: event.id.hex)
                #expect(ok.accepted, "\(ok.message)")
                let served = try await client.requestRaw("q", [Filter(ids: [event.id])])
                #expect(served == [String(decoding: event.serializedJSON(), as: UTF8.self)])
            }
        }
    }

    @Test func olderReplaceableVersionIsADuplicateAndOnlyTheNewestIsServed() async throws {
        try await withTestRelay { _, port async throws in
            try await withClient(port: port) { client async throws in
                let now = unixNow
                // Newer first, then older.
                let alice = KeyPair.generate()
                let newer = alice.event(.followList, tags: [["p", KeyPair.generate().publicKey.hex]], at: now - 10)
                let older = alice.event(.followList, tags: [["p", KeyPair.generate().publicKey.hex]], at: now - 20)
                #expect(try await client.publish(newer) == (true, ""))
                let stale = try await client.publish(older)
                #expect(stale.accepted)
                #expect(stale.message.hasPrefix("duplicate:"), "\(stale.message)")
                let served = try await client.request("a", [Filter(authors: [alice.publicKey], kinds: [.followList])])
                #expect(served == [newer])
                #expect(try await client.request("a-old", [Filter(ids: [older.id])]).isEmpty)

                // Older first, then newer: the newer one replaces it.
                let bob = KeyPair.generate()
                let first = bob.event(.metadata, content: #"{"name":"v1"}"#, at: now - 20)
                let second = bob.event(.metadata, content: #"{"name":"v2"}"#, at: now - 10)
                #expect(try await client.publish(first).accepted)
                #expect(try await client.publish(second) == (true, ""))
                let current = try await client.request("b", [Filter(authors: [bob.publicKey], kinds: [.metadata])])
                #expect(current == [second])
                #expect(try await client.request("b-old", [Filter(ids: [first.id])]).isEmpty)

                // Same created_at: the lowest id is kept, whichever arrives first (NIP-01).
                for order in 0..<2 {
                    let carol = KeyPair.generate()
                    let pair = [
                        carol.event(.metadata, content: "a", at: now - 5),
                        carol.event(.metadata, content: "b", at: now - 5),
                    ].sorted { $0.id.hex < $1.id.hex }
                    let (lower, higher) = (pair[0], pair[1])
                    for event in order == 0 ? [higher, lower] : [lower, higher] {
                        #expect(try await client.publish(event).accepted)
                    }
                    let kept = try await client.request(
                        "tie\(order)", [Filter(authors: [carol.publicKey], kinds: [.metadata])])
                    #expect(kept == [lower], "order \(order)")
                }

                // Addressable (NIP-51 sets): one per d tag.
                let set1 = bob.event(30000, tags: [["d", "friends"]], at: now - 20)
                let set2 = bob.event(30000, tags: [["d", "friends"], ["p", alice.publicKey.hex]], at: now - 10)
                let other = bob.event(30000, tags: [["d", "family"]], at: now - 15)
                for event in [set1, set2, other] { #expect(try await client.publish(event).accepted) }
                let sets = try await client.request("sets", [Filter(authors: [bob.publicKey], kinds: [30000])])
                #expect(Set(sets) == [set2, other])
            }
        }
    }
}
