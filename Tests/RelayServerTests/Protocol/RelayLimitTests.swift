import Foundation
import NostrCore
import PurplePagesTestSupport
import Testing

/// The configured limits end to end: filters, subscriptions, `limit`, tags, content, created_at,
/// kinds and message size.
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
