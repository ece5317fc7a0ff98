import Foundation
import NostrCore
import PurplePagesTestSupport
import Testing

/// `ReqOnlyRelay` (Tests/Interop/req_only_relay.py), the relay without negentropy that sync clients'
/// fallback tests run against, driven over a real WebSocket.
@Suite("REQ-only relay")
struct ReqOnlyRelayTests {
    /// 30 events by 30 authors, ten to a second over three seconds.
    static func tiedEvents() -> [Event] {
        let base = unixNow - 3600
        return (0..<30).map { index in
            KeyPair.generate().event(index % 2 == 0 ? .metadata : .followList, at: base + Int64(index / 10))
        }
    }

    /// `events` as a relay serves them: newest first, ties in ascending id order.
    static func newestFirst(_ events: [Event]) -> [Event] {
        events.sorted { ($0.createdAt, $1.id.hex) > ($1.createdAt, $0.id.hex) }
    }

    @Test func aLimitCutsNewestFirstWithTiesInIdOrder() async throws {
        let events = Self.tiedEvents()
        let relay = try await ReqOnlyRelay.start(events: events, authGreeting: true)
        try await withClient(port: relay.port) { client async throws in
            let ordered = Self.newestFirst(events)
            // 15 is the ten of the newest second and five of the ten tied on the next.
            #expect(try await client.request("l15", [Filter(limit: 15)]) == Array(ordered.prefix(15)))
            #expect(try await client.request("all", [Filter()]) == ordered)
            #expect(try await client.request("zero", [Filter(limit: 0)]).isEmpty)
            // until is inclusive: the second cut by the limit above, from its first event on.
            let cut = ordered[10].createdAt
            #expect(
                try await client.request("until", [Filter(until: cut, limit: 4)]) == Array(ordered[10..<14]))
        }
        _ = try await relay.stop()
    }

    @Test func filtersHonourIdsAuthorsKindsSinceAndUntil() async throws {
        let events = Self.tiedEvents()
        let base = events[0].createdAt
        let relay = try await ReqOnlyRelay.start(events: events, authGreeting: true)
        try await withClient(port: relay.port) { client async throws in
            let ordered = Self.newestFirst(events)
            let byIDs = try await client.request("ids", [Filter(ids: [events[3].id, events[17].id])])
            #expect(byIDs == [events[17], events[3]])
            #expect(try await client.request("authors", [Filter(authors: [events[5].pubkey])]) == [events[5]])
            #expect(
                try await client.request("kinds", [Filter(kinds: [.followList])])
                    == ordered.filter { $0.kind == .followList })
            #expect(
                try await client.request("since", [Filter(since: base + 1)])
                    == ordered.filter { $0.createdAt >= base + 1 })
            #expect(try await client.request("until", [Filter(until: base)]) == ordered.filter { $0.createdAt <= base })
            #expect(
                try await client.request("two", [Filter(kinds: [.metadata], limit: 2), Filter(ids: [events[1].id])])
                    == Self.newestFirst(Array(ordered.filter { $0.kind == .metadata }.prefix(2)) + [events[1]]))
        }
        _ = try await relay.stop()
    }

    @Test func maxLimitCapsEveryFilter() async throws {
        let events = Self.tiedEvents()
        let relay = try await ReqOnlyRelay.start(events: events, maxLimit: 5, authGreeting: true)
        try await withClient(port: relay.port) { client async throws in
            let ordered = Self.newestFirst(events)
            #expect(try await client.request("none", [Filter()]) == Array(ordered.prefix(5)))
            #expect(try await client.request("more", [Filter(limit: 100)]) == Array(ordered.prefix(5)))
            #expect(try await client.request("less", [Filter(limit: 3)]) == Array(ordered.prefix(3)))
        }
        _ = try await relay.stop()
    }

    @Test func storesPublishedEventsWithReplaceableSemanticsAndHandsThemBackOnStop() async throws {
        let author = KeyPair.generate()
        let base = unixNow - 3600
        let old = author.event(.metadata, content: #"{"name":"old"}"#, at: base)
        let relay = try await ReqOnlyRelay.start(events: [old], authGreeting: true)
        let newer = author.event(.metadata, content: #"{"name":"new"}"#, at: base + 10)
        let older = author.event(.metadata, content: #"{"name":"older"}"#, at: base - 10)
        let other = KeyPair.generate().event(.relayList, tags: [["r", "wss://relay.example.com"]], at: base)
        var forged = try JSONValue.parse(KeyPair.generate().event(.metadata, at: base).jsonString)
        if case .object(var members) = forged, let index = members.firstIndex(where: { $0.key == "content" }) {
            members[index].value = .string("changed")
            forged = .object(members)
        }
        try await withClient(port: relay.port) { client async throws in
            let live = client.makeSubscriptionID("live")
            #expect(try await client.request(live, [Filter(kinds: [.relayList])]).isEmpty)
            #expect(try await client.publish(newer).accepted)
            #expect(try await client.publish(older).accepted)
            let again = try await client.publish(newer)
            #expect(again.accepted && again.message == "duplicate: already have this event")
            #expect(try await client.publish(other).accepted)
            #expect(try await client.liveEvent(live) == other.jsonString)
            let forgedID = forged["id"]?.stringValue ?? ""
            let refused = try await client.publish(rawEvent: forged.jsonString, id: forgedID)
            #expect(!refused.accepted && refused.message.hasPrefix("invalid:"))
            #expect(try await client.request("author", [Filter(authors: [author.publicKey])]) == [newer])
        }
        #expect(try await relay.stop() == [newer.jsonString, other.jsonString])
        #expect(relay.receivedMessageTypes.filter { $0 == "EVENT" }.count == 5)
    }

    @Test(arguments: [ReqOnlyRelay.NegentropyReply.notice, .negErr, .silent])
    func answersNegentropyAsConfigured(_ reply: ReqOnlyRelay.NegentropyReply) async throws {
        let relay = try await ReqOnlyRelay.start(events: Self.tiedEvents(), negentropyReply: reply, authGreeting: true)
        try await withClient(port: relay.port) { client async throws in
            // An initial message with no ranges: protocol version 1 (0x61) alone.
            try await client.send(#"["NEG-OPEN","neg-1",{"kinds":[0]},"61"]"#)
            switch reply {
            case .notice:
                let notice = try await client.nextReply()
                #expect(notice.type == "NOTICE")
                #expect(notice.string(1)?.contains("negentropy is not supported") == true)
            case .negErr:
                let error = try await client.nextReply()
                #expect(error.type == "NEG-ERR")
                #expect(error.string(1) == "neg-1")
                #expect(error.string(2)?.hasPrefix("blocked: ") == true)
            case .silent:
                await client.expectNoMessage(for: .milliseconds(500))
            }
            await client.expectResponsive()
        }
        _ = try await relay.stop()
        #expect(relay.receivedMessageTypes == ["NEG-OPEN", "REQ"])
    }

    /// By default it greets no one: the first message a client reads answers its own REQ.
    @Test func sendsNoAuthGreetingUnlessAsked() async throws {
        let events = Self.tiedEvents()
        let relay = try await ReqOnlyRelay.start(events: events)
        let socket = try await RawWebSocket.connect(port: relay.port)
        try socket.send(text: #"["REQ","first",{"limit":1}]"#)
        let first = try #require(await socket.readText())
        #expect(first == #"["EVENT","first","# + Self.newestFirst(events)[0].jsonString + "]")
        #expect(await socket.readText() == #"["EOSE","first"]"#)
        socket.close()
        _ = try await relay.stop()
    }
}
