import Foundation
import NostrCore
import RelayServer
import Synchronization
import Testing

// End-to-end tests: a real relay on 127.0.0.1 and real WebSocket (and HTTP) clients.

/// A filter given as JSON text.
private func filter(_ json: String) throws -> Filter { try Filter(json: json) }

@Suite("NIP-11 over HTTP")
struct RelayInformationHTTPTests {
    @Test func informationDocumentWithCORSHeaders() async throws {
        try await withTestRelay(configure: { config in
            config.identity.name = "Test <b>Relay</b>"
            config.limits.maxLimit = 321
            config.limits.defaultLimit = 100
            config.limits.maxSubscriptions = 7
            config.limits.maxFilters = 4
            config.limits.maxEventTags = 99
            config.limits.maxContentLength = 5000
            config.limits.maxMessageBytes = 70_000
        }) { _, port async throws in
            let answer = try await httpGet("http://127.0.0.1:\(port)/", accept: "application/nostr+json")
            #expect(answer.status == 200)
            #expect(answer.header("Content-Type")?.hasPrefix("application/nostr+json") == true)
            #expect(answer.header("Access-Control-Allow-Origin") == "*")
            #expect(answer.header("Access-Control-Allow-Headers") != nil)
            #expect(answer.header("Access-Control-Allow-Methods")?.contains("GET") == true)
            let document = try JSONValue.parse(Array(answer.body))
            #expect(document["name"]?.stringValue == "Test <b>Relay</b>")
            #expect(document["description"]?.stringValue?.isEmpty == false)
            let nips = try #require(document["supported_nips"]?.arrayValue).compactMap(\.int64Value)
            for nip: Int64 in [1, 9, 11, 42, 45, 70] { #expect(nips.contains(nip), "NIP-\(nip) is not advertised") }
            let limitation = try #require(document["limitation"])
            #expect(limitation["max_limit"]?.int64Value == 321)
            #expect(limitation["default_limit"]?.int64Value == 100)
            #expect(limitation["max_subscriptions"]?.int64Value == 7)
            #expect(limitation["max_filters"]?.int64Value == 4)
            #expect(limitation["max_event_tags"]?.int64Value == 99)
            #expect(limitation["max_content_length"]?.int64Value == 5000)
            #expect(limitation["max_message_length"]?.int64Value == 70_000)
            #expect(limitation["max_subid_length"]?.int64Value == 64)
            #expect(limitation["auth_required"] == .bool(false))
            #expect(limitation["payment_required"] == .bool(false))
        }
    }

    @Test func htmlPageEscapesTheName() async throws {
        try await withTestRelay(configure: { $0.identity.name = "<b>Bold & \"Co\"</b>" }) { _, port async throws in
            for accept in [nil, "text/html"] {
                let answer = try await httpGet("http://127.0.0.1:\(port)/", accept: accept)
                #expect(answer.status == 200)
                #expect(answer.header("Content-Type")?.hasPrefix("text/html") == true)
                #expect(answer.header("Access-Control-Allow-Origin") == "*")
                #expect(answer.text.contains("&lt;b&gt;Bold &amp; &quot;Co&quot;&lt;/b&gt;"))
                #expect(!answer.text.contains("<b>Bold"))
                #expect(!answer.text.contains("\"Co\""))
            }
        }
    }
}

@Suite("NIP-01 over WebSockets")
struct RelayProtocolTests {
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

    @Test func liveEventsReachOpenSubscriptions() async throws {
        try await withTestRelay { _, port async throws in
            try await withClients(port: port, count: 2) { clients async throws in
                let (listener, publisher) = (clients[0], clients[1])
                #expect(try await listener.requestRaw("profiles", [Filter(kinds: [.metadata])]).isEmpty)
                let profile = KeyPair.generate().event(.metadata, content: #"{"name":"bob"}"#)
                #expect(try await publisher.publish(profile).accepted)
                #expect(try await listener.liveEvent("profiles") == profile.jsonString)
                // A follow list does not match kinds [0].
                #expect(try await publisher.publish(KeyPair.generate().event(.followList)).accepted)
                await listener.expectNoMessage(for: .milliseconds(300))
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

    @Test func countOfFollowersIsExact() async throws {
        try await withTestRelay { _, port async throws in
            try await withClient(port: port) { client async throws in
                let celebrity = KeyPair.generate().publicKey.hex
                let bystander = KeyPair.generate().publicKey.hex
                let now = unixNow
                for index in 0..<7 {
                    let follower = KeyPair.generate()
                    let tags = [["p", bystander], ["p", celebrity], ["p", KeyPair.generate().publicKey.hex]]
                    #expect(
                        try await client.publish(follower.event(.followList, tags: tags, at: now - Int64(index)))
                            .accepted)
                }
                for _ in 0..<3 {
                    #expect(
                        try await client.publish(KeyPair.generate().event(.followList, tags: [["p", bystander]]))
                            .accepted)
                }
                // Stopped following: the newer list without the celebrity replaces the older one.
                let unfollower = KeyPair.generate()
                #expect(
                    try await client.publish(unfollower.event(.followList, tags: [["p", celebrity]], at: now - 30))
                        .accepted)
                #expect(
                    try await client.publish(unfollower.event(.followList, tags: [["p", bystander]], at: now - 20))
                        .accepted)
                // An outdated list naming the celebrity arriving late changes nothing.
                let late = KeyPair.generate()
                #expect(
                    try await client.publish(late.event(.followList, tags: [["p", bystander]], at: now - 20)).accepted)
                #expect(
                    try await client.publish(late.event(.followList, tags: [["p", celebrity]], at: now - 30)).accepted)
                // A profile that mentions the celebrity is not a follow.
                #expect(
                    try await client.publish(KeyPair.generate().event(.metadata, tags: [["p", celebrity]])).accepted)

                #expect(
                    try await client.count("followers", rawFilters: [##"{"kinds":[3],"#p":["\##(celebrity)"]}"##]) == 7)
                #expect(
                    try await client.count("bystander", rawFilters: [##"{"kinds":[3],"#p":["\##(bystander)"]}"##]) == 12
                )
                #expect(
                    try await client.count(
                        "nobody", rawFilters: [##"{"kinds":[3],"#p":["\##(String(repeating: "0", count: 64))"]}"##])
                        == 0)
                // The reply has NIP-45's shape.
                try await client.send(##"["COUNT","shape",{"kinds":[3],"#p":["\##(celebrity)"]}]"##)
                let reply = try await client.take("COUNT shape") { $0.type == "COUNT" }
                #expect(reply.json.arrayValue?.count == 3)
                #expect(reply[2]?["count"]?.int64Value == 7)
                #expect(reply[2]?["approximate"] == nil || reply[2]?["approximate"] == .bool(false))
            }
        }
    }

    @Test func closeStopsLiveDelivery() async throws {
        try await withTestRelay { _, port async throws in
            try await withClients(port: port, count: 2) { clients async throws in
                let (listener, publisher) = (clients[0], clients[1])
                #expect(try await listener.requestRaw("live", [Filter(kinds: [.metadata])]).isEmpty)
                let first = KeyPair.generate().event(.metadata)
                #expect(try await publisher.publish(first).accepted)
                #expect(try await listener.liveEvent("live") == first.jsonString)
                try await listener.send(close: "live")
                await listener.expectResponsive()  // the CLOSE has been handled
                #expect(try await publisher.publish(KeyPair.generate().event(.metadata)).accepted)
                await listener.expectNoMessage(for: .milliseconds(300))
                await listener.expectResponsive()
            }
        }
    }

    @Test func requestWithTheSameIDReplacesTheSubscription() async throws {
        try await withTestRelay { _, port async throws in
            try await withClients(port: port, count: 2) { clients async throws in
                let (listener, publisher) = (clients[0], clients[1])
                let alice = KeyPair.generate()
                #expect(
                    try await listener.requestRaw("s", [Filter(authors: [alice.publicKey], kinds: [.metadata])]).isEmpty
                )
                #expect(
                    try await listener.requestRaw("s", [Filter(authors: [alice.publicKey], kinds: [.followList])])
                        .isEmpty)
                let profile = alice.event(.metadata)
                let follows = alice.event(.followList)
                #expect(try await publisher.publish(profile).accepted)
                #expect(try await publisher.publish(follows).accepted)
                // The profile (published first) would arrive first if the old filter were still live.
                #expect(try await listener.liveEvent("s") == follows.jsonString)
                await listener.expectNoMessage(for: .milliseconds(300))
            }
        }
    }

    /// NIP-01: CLOSED means the relay ended the subscription, so a refused replacement must not
    /// leave the old filters delivering events under that id.
    @Test func refusedReplacementLeavesNoLiveSubscription() async throws {
        try await withTestRelay(configure: { $0.limits.maxFilters = 2 }) { _, port async throws in
            try await withClients(port: port, count: 2) { clients async throws in
                let (listener, publisher) = (clients[0], clients[1])
                #expect(try await listener.requestRaw("s", [Filter(kinds: [.metadata])]).isEmpty)
                let filters = Array(repeating: #"{"kinds":[3]}"#, count: 3)
                try await listener.send(NostrTestClient.message("REQ", "s", filters))
                let closed = try await listener.take("CLOSED s") { $0.string(1) == "s" }
                #expect(closed.type == "CLOSED", "\(closed)")
                #expect(try await publisher.publish(KeyPair.generate().event(.metadata)).accepted)
                await listener.expectNoMessage(for: .milliseconds(300))
            }
        }
    }

    @Test func limitZeroGivesEOSEAtOnceThenLiveEvents() async throws {
        try await withTestRelay { _, port async throws in
            try await withClients(port: port, count: 2) { clients async throws in
                let (listener, publisher) = (clients[0], clients[1])
                #expect(try await publisher.publish(KeyPair.generate().event(.metadata)).accepted)
                try await listener.send(#"["REQ","zero",{"kinds":[0],"limit":0}]"#)
                let first = try await listener.nextReply()
                #expect(first.type == "EOSE" && first.string(1) == "zero", "\(first)")
                let fresh = KeyPair.generate().event(.metadata)
                #expect(try await publisher.publish(fresh).accepted)
                #expect(try await listener.liveEvent("zero") == fresh.jsonString)
            }
        }
    }
}

@Suite("Limits over WebSockets")
struct RelayLimitTests {
    @Test func tooManyFiltersIsClosedInvalid() async throws {
        try await withTestRelay(configure: { $0.limits.maxFilters = 2 }) { _, port async throws in
            try await withClient(port: port) { client async throws in
                let filters = Array(repeating: #"{"kinds":[0]}"#, count: 3)
                try await client.send(NostrTestClient.message("REQ", "many", filters))
                let closed = try await client.take("CLOSED many") { $0.string(1) == "many" }
                #expect(closed.type == "CLOSED")
                #expect(closed.string(2)?.hasPrefix("invalid:") == true, "\(closed)")
                try await client.send(NostrTestClient.message("COUNT", "many-count", filters))
                let countClosed = try await client.take("CLOSED many-count") { $0.string(1) == "many-count" }
                #expect(countClosed.type == "CLOSED")
                #expect(countClosed.string(2)?.hasPrefix("invalid:") == true, "\(countClosed)")
                // Two filters are fine.
                #expect(try await client.requestRaw("two", rawFilters: Array(filters.prefix(2))).isEmpty)
            }
        }
    }

    @Test func tooManySubscriptionsIsClosed() async throws {
        try await withTestRelay(configure: { $0.limits.maxSubscriptions = 2 }) { _, port async throws in
            try await withClients(port: port, count: 2) { clients async throws in
                let client = clients[0]
                #expect(try await client.requestRaw("s1", [Filter(kinds: [.metadata])]).isEmpty)
                #expect(try await client.requestRaw("s2", [Filter(kinds: [.followList])]).isEmpty)
                try await client.send(request: "s3", [Filter(kinds: [.metadata])])
                let refused = try await client.take("reply to s3") { $0.string(1) == "s3" }
                #expect(refused.type == "CLOSED", "\(refused)")
                let reason = refused.string(2) ?? ""
                #expect(reason.contains(": "), "a CLOSED reason has a machine-readable prefix: \(reason)")
                // Replacing an open subscription is not a new one.
                #expect(try await client.requestRaw("s1", [Filter(kinds: [.relayList])]).isEmpty)
                // Closing one makes room.
                try await client.send(close: "s2")
                #expect(try await client.requestRaw("s3", [Filter(kinds: [.metadata])]).isEmpty)
                // The limit is per connection.
                let other = clients[1]
                for id in ["o1", "o2"] { #expect(try await other.requestRaw(id, [Filter(kinds: [.metadata])]).isEmpty) }
            }
        }
    }

    @Test func filterLimitIsClampedToMaxLimit() async throws {
        try await withTestRelay(configure: {
            $0.limits.maxLimit = 5
            $0.limits.defaultLimit = 3
        }) { _, port async throws in
            try await withClient(port: port) { client async throws in
                let now = unixNow
                var published: [Event] = []
                for index in 0..<8 {
                    let event = KeyPair.generate().event(.metadata, at: now - 100 + Int64(index))
                    #expect(try await client.publish(event).accepted)
                    published.append(event)
                }
                let newest = published.sorted { $0.createdAt > $1.createdAt }
                let clamped = try await client.request("big", rawFilters: [#"{"kinds":[0],"limit":100}"#])
                #expect(clamped == Array(newest.prefix(5)))
                let unlimited = try await client.request("default", rawFilters: [#"{"kinds":[0]}"#])
                #expect(unlimited == Array(newest.prefix(3)))
                let small = try await client.request("small", rawFilters: [#"{"kinds":[0],"limit":2}"#])
                #expect(small == Array(newest.prefix(2)))
                // Ties on created_at: lowest id first (NIP-01).
                let tied = (0..<4).map { _ in KeyPair.generate().event(.followList, at: now - 50) }
                for event in tied { #expect(try await client.publish(event).accepted) }
                let firstTwo = try await client.request("tied", rawFilters: [#"{"kinds":[3],"limit":2}"#])
                #expect(firstTwo == Array(tied.sorted { $0.id.hex < $1.id.hex }.prefix(2)))
            }
        }
    }

    @Test func tooManyTagsIsInvalid() async throws {
        try await withTestRelay(configure: { $0.limits.maxEventTags = 5 }) { _, port async throws in
            try await withClient(port: port) { client async throws in
                let author = KeyPair.generate()
                let tags = (0..<6).map { _ in ["p", KeyPair.generate().publicKey.hex] }
                let tooMany = try await client.publish(author.event(.followList, tags: tags, at: unixNow - 10))
                #expect(!tooMany.accepted)
                #expect(tooMany.message.hasPrefix("invalid:"), "\(tooMany.message)")
                #expect(try await client.publish(author.event(.followList, tags: Array(tags.prefix(5)))).accepted)
            }
        }
    }

    @Test func contentTooLongIsInvalid() async throws {
        try await withTestRelay(configure: { $0.limits.maxContentLength = 100 }) { _, port async throws in
            try await withClient(port: port) { client async throws in
                let tooLong = try await client.publish(
                    KeyPair.generate().event(.metadata, content: String(repeating: "x", count: 101)))
                #expect(!tooLong.accepted)
                #expect(tooLong.message.hasPrefix("invalid:"), "\(tooLong.message)")
                #expect(
                    try await client.publish(
                        KeyPair.generate().event(.metadata, content: String(repeating: "x", count: 100))
                    ).accepted)
            }
        }
    }

    /// NIP-11: `max_content_length` is "a count of unicode characters", not of bytes.
    @Test func contentLengthCountsCharactersNotBytes() async throws {
        try await withTestRelay(configure: { $0.limits.maxContentLength = 100 }) { _, port async throws in
            try await withClient(port: port) { client async throws in
                let accented = KeyPair.generate().event(.metadata, content: String(repeating: "é", count: 100))
                let ok = try await client.publish(accented)
                #expect(ok.accepted, "100 characters (200 UTF-8 bytes) within max_content_length 100: \(ok.message)")
                let tooLong = try await client.publish(
                    KeyPair.generate().event(.metadata, content: String(repeating: "é", count: 101)))
                #expect(!tooLong.accepted)
            }
        }
    }

    @Test func createdAtFarInTheFutureIsInvalid() async throws {
        try await withTestRelay(configure: { $0.limits.createdAtFutureSeconds = 900 }) { _, port async throws in
            try await withClient(port: port) { client async throws in
                let future = try await client.publish(KeyPair.generate().event(.metadata, at: unixNow + 3600))
                #expect(!future.accepted)
                #expect(future.message.hasPrefix("invalid:"), "\(future.message)")
                #expect(try await client.publish(KeyPair.generate().event(.metadata, at: unixNow + 60)).accepted)
            }
        }
    }

    @Test func disallowedKindIsBlocked() async throws {
        try await withTestRelay { _, port async throws in
            try await withClient(port: port) { client async throws in
                let note = KeyPair.generate().event(1, content: "hello")
                let ok = try await client.publish(note)
                #expect(!ok.accepted)
                #expect(ok.message.hasPrefix("blocked:"), "\(ok.message)")
                #expect(try await client.request("notes", [Filter(ids: [note.id])]).isEmpty)
            }
        }
    }

    @Test func oversizedMessageGetsANoticeAndTheConnectionStays() async throws {
        try await withTestRelay(configure: { $0.limits.maxMessageBytes = 4096 }) { _, port async throws in
            try await withClient(port: port) { client async throws in
                let padding = String(repeating: "a", count: 6000)
                try await client.send(##"["REQ","big",{"kinds":[0],"#t":["\##(padding)"]}]"##)
                let notice = try await client.nextReply()
                #expect(notice.type == "NOTICE", "\(notice)")
                let huge = KeyPair.generate().event(.metadata, content: padding)
                try await client.send(event: huge)
                let second = try await client.nextReply()
                #expect(second.type == "NOTICE" || (second.type == "OK" && second[2] == .bool(false)), "\(second)")
                await client.expectResponsive()
                #expect(try await client.publish(KeyPair.generate().event(.metadata)).accepted)
            }
        }
    }
}

@Suite("NIP-40 over WebSockets")
struct RelayExpirationTests {
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

@Suite("Bad input over WebSockets")
struct RelayBadInputTests {
    @Test func malformedJSONGetsAnInvalidNotice() async throws {
        try await withTestRelay { _, port async throws in
            try await withClient(port: port) { client async throws in
                for text in ["not json", "[", "{}", "[]", "[1,2]", #"["REQ""#, "[\"EVENT\",{]"] {
                    try await client.send(text)
                    let notice = try await client.nextReply()
                    #expect(notice.type == "NOTICE", "\(text) -> \(notice)")
                    #expect(notice.string(1)?.hasPrefix("invalid:") == true, "\(text) -> \(notice)")
                    await client.expectResponsive()
                }
                // Truncated after a readable subscription id: NOTICE, or CLOSED for that id.
                try await client.send(#"["REQ","x",{"kinds":[0]"#)
                let reply = try await client.nextReply()
                let text = reply.type == "NOTICE" ? reply.string(1) : reply.string(2)
                #expect(reply.type == "NOTICE" || (reply.type == "CLOSED" && reply.string(1) == "x"), "\(reply)")
                #expect(text?.hasPrefix("invalid:") == true, "\(reply)")
                await client.expectResponsive()
            }
        }
    }

    @Test func badSubscriptionIDsAreRefused() async throws {
        try await withTestRelay { _, port async throws in
            try await withClient(port: port) { client async throws in
                for id in ["", String(repeating: "s", count: 65)] {
                    try await client.send(NostrTestClient.message("REQ", id, [#"{"kinds":[0]}"#]))
                    let reply = try await client.nextReply()
                    let text = reply.type == "NOTICE" ? reply.string(1) : reply.string(2)
                    #expect(reply.type == "NOTICE" || reply.type == "CLOSED", "\(reply)")
                    #expect(text?.hasPrefix("invalid:") == true, "\(reply)")
                    await client.expectResponsive()
                }
                // 64 characters is allowed.
                let longest = String(repeating: "s", count: 64)
                #expect(try await client.requestRaw(longest, [Filter(kinds: [.metadata])]).isEmpty)
            }
        }
    }

    @Test func binaryFrameGetsANotice() async throws {
        try await withTestRelay { _, port async throws in
            try await withClient(port: port) { client async throws in
                try await client.sendBinary(Array(#"["REQ","bin",{}]"#.utf8))
                let notice = try await client.nextReply()
                #expect(notice.type == "NOTICE", "\(notice)")
                await client.expectResponsive()
            }
        }
    }

    @Test func unknownMessageTypeGetsANotice() async throws {
        try await withTestRelay { _, port async throws in
            try await withClient(port: port) { client async throws in
                try await client.send(#"["HELLO","world"]"#)
                let notice = try await client.nextReply()
                #expect(notice.type == "NOTICE", "\(notice)")
                await client.expectResponsive()
            }
        }
    }

    @Test func badSignatureIsRefused() async throws {
        try await withTestRelay { _, port async throws in
            try await withClient(port: port) { client async throws in
                let event = KeyPair.generate().event(.metadata)
                let otherSig = KeyPair.generate().event(.metadata).sig.hex
                let forged = event.jsonString.replacingOccurrences(of: event.sig.hex, with: otherSig)
                let ok = try await client.publish(rawEvent: forged, id: event.id.hex)
                #expect(!ok.accepted)
                #expect(ok.message == "invalid: signature is invalid")
                await client.expectResponsive()
                #expect(try await client.request("q", [Filter(ids: [event.id])]).isEmpty)
            }
        }
    }

    @Test func wrongIDIsRefused() async throws {
        try await withTestRelay { _, port async throws in
            try await withClient(port: port) { client async throws in
                let event = KeyPair.generate().event(.metadata, content: "original")
                let tampered = event.jsonString.replacingOccurrences(
                    of: #""content":"original""#, with: #""content":"tampered""#)
                #expect(tampered != event.jsonString)
                let ok = try await client.publish(rawEvent: tampered, id: event.id.hex)
                #expect(!ok.accepted)
                #expect(ok.message == "invalid: id is computed incorrectly")
                await client.expectResponsive()
            }
        }
    }

    @Test func nonHexPubkeyIsRefused() async throws {
        try await withTestRelay { _, port async throws in
            try await withClient(port: port) { client async throws in
                let event = KeyPair.generate().event(.metadata)
                let broken = event.jsonString.replacingOccurrences(
                    of: event.pubkey.hex, with: "zz" + String(event.pubkey.hex.dropFirst(2)))
                try await client.send(#"["EVENT","# + broken + "]")
                let reply = try await client.nextReply()
                let refused =
                    reply.type == "NOTICE"
                    || (reply.type == "OK" && reply.string(1) == event.id.hex && reply[2] == .bool(false))
                #expect(refused, "\(reply)")
                #expect(reply.string(reply.type == "NOTICE" ? 1 : 3)?.hasPrefix("invalid:") == true, "\(reply)")
                await client.expectResponsive()
            }
        }
    }
}

@Suite("NIP-42 and NIP-70 over WebSockets")
struct RelayAuthenticationTests {
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

@Suite("Concurrent clients")
struct RelayConcurrencyTests {
    @Test func fiftyClientsPublishAndQueryAtOnce() async throws {
        let clientCount = 50
        let eventsPerClient = 10
        try await withTestRelay(configure: { config in
            // This test is about concurrency, not the per-IP rate limits (every client is 127.0.0.1).
            config.limits.eventRate = 0
            config.limits.reqRate = 0
            config.limits.connectionRate = 0
        }) { _, port async throws in
            let now = unixNow
            // Everyone connects first, then all publish and query at once.
            let results = try await withClients(port: port, count: clientCount) { clients async throws in
                try await withThrowingTaskGroup(of: (refused: [String], servedRight: Bool).self) { group in
                    for client in clients {
                        group.addTask {
                            let author = KeyPair.generate()
                            // Alternating kinds, shuffled times: some versions arrive after newer ones.
                            var events: [Event] = []
                            for index in 0..<eventsPerClient {
                                let kind: Kind = index % 2 == 0 ? .metadata : .followList
                                let tags: [[String]] = index % 2 == 0 ? [] : [["p", KeyPair.generate().publicKey.hex]]
                                let createdAt = now - 1000 + Int64(index)
                                events.append(author.event(kind, tags: tags, content: "\(index)", at: createdAt))
                            }
                            var refused: [String] = []
                            for event in events.shuffled() {
                                let ok = try await client.publish(event, timeout: .seconds(15))
                                if !ok.accepted { refused.append(ok.message) }
                            }
                            let newest = Set([events[eventsPerClient - 2], events[eventsPerClient - 1]])
                            let served = try await client.request(
                                "mine", [Filter(authors: [author.publicKey])], timeout: .seconds(15))
                            return (refused, Set(served) == newest && served.count == 2)
                        }
                    }
                    var all: [(refused: [String], servedRight: Bool)] = []
                    for try await result in group { all.append(result) }
                    return all
                }
            }
            #expect(results.count == clientCount)
            #expect(results.flatMap(\.refused).isEmpty, "\(results.flatMap(\.refused).prefix(5))")
            #expect(
                results.filter { !$0.servedRight }.isEmpty,
                "clients served something other than their two newest events")
            try await withClient(port: port) { client async throws in
                #expect(try await client.count("all", [Filter(kinds: [.metadata, .followList])]) == clientCount * 2)
                #expect(try await client.count("profiles", [Filter(kinds: [.metadata])]) == clientCount)
            }
        }
    }
}

@Suite("Rate limits over WebSockets")
struct RelayRateLimitTests {
    @Test func eventsBeyondTheBurstAreRateLimited() async throws {
        try await withTestRelay(configure: { config in
            config.limits.eventRate = 0.001
            config.limits.eventBurst = 2
        }) { _, port async throws in
            try await withClient(port: port) { client async throws in
                #expect(try await client.publish(KeyPair.generate().event(.metadata)).accepted)
                #expect(try await client.publish(KeyPair.generate().event(.metadata)).accepted)
                let third = try await client.publish(KeyPair.generate().event(.metadata))
                #expect(!third.accepted)
                #expect(third.message.hasPrefix("rate-limited:"), "\(third.message)")
                await client.expectResponsive()
            }
        }
    }

    @Test func requestsBeyondTheBurstAreClosedRateLimited() async throws {
        try await withTestRelay(configure: { config in
            config.limits.reqRate = 0.001
            config.limits.reqBurst = 2
        }) { _, port async throws in
            try await withClient(port: port) { client async throws in
                // Twenty at once: the burst of 2 (plus at most a token a second, however slow this
                // machine is) must leave most of them refused.
                for index in 0..<20 { try await client.send(request: "r\(index)", [Filter(kinds: [.metadata])]) }
                var refused = 0
                for index in 0..<20 {
                    let reply = try await client.take("reply to r\(index)") { $0.string(1) == "r\(index)" }
                    if reply.type == "CLOSED" {
                        #expect(reply.string(2)?.hasPrefix("rate-limited:") == true, "\(reply)")
                        refused += 1
                    } else {
                        #expect(reply.type == "EOSE", "\(reply)")
                    }
                }
                #expect(refused >= 10, "only \(refused) of 20 requests were refused")
            }
        }
    }

    @Test func dailyServedBudgetAsksForAuthentication() async throws {
        try await withTestRelay(configure: { $0.limits.eventsPerDayLimit = 3 }) { _, port async throws in
            try await withClient(port: port) { client async throws in
                for _ in 0..<5 { #expect(try await client.publish(KeyPair.generate().event(.metadata)).accepted) }
                #expect(try await client.requestRaw("all", [Filter(kinds: [.metadata])]).count == 5)
                try await client.send(request: "more", [Filter(kinds: [.metadata])])
                let refused = try await client.take("reply to more") { $0.string(1) == "more" }
                #expect(refused.type == "CLOSED", "\(refused)")
                #expect(refused.string(2)?.hasPrefix("auth-required:") == true, "\(refused)")
                let challenge = try await client.take("AUTH after auth-required") { $0.type == "AUTH" }
                #expect(challenge.string(1) == client.challenge)
            }
        }
    }
}
