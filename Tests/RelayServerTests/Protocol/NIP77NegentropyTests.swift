import Foundation
import NostrCore
import PurplePagesTestSupport
import RelayServer
import Testing

/// NIP-77 negentropy sync end to end: NostrCore's initiator drives the relay's sessions over a real
/// WebSocket, against a store whose contents the test knows.
@Suite("NIP-77 negentropy over WebSockets")
struct NIP77NegentropyTests {
    @Test func reconciliationFindsExactlyWhatEachSideLacks() async throws {
        try await withTestRelay { relay, port async throws in
            let shared = signedEvents(40, kind: 30000)
            let relayOnly = signedEvents(25, kind: 30000)
            // Another kind the filter leaves out: not part of the sync.
            let outside = signedEvents(10, kind: 30001)
            _ = try await relay.store.save(shared + relayOnly + outside)
            let clientOnly = signedEvents(15, kind: 30000)
            try await withClient(port: port) { client async throws in
                let result = try await sync(
                    client, "sync", filter: #"{"kinds":[30000]}"#, local: items(shared + clientOnly))
                #expect(result.have == Set(clientOnly.map(\.id)))
                #expect(result.need == Set(relayOnly.map(\.id)))
                await client.expectResponsive()
            }
        }
    }

    @Test func smallFramesTakeSeveralRounds() async throws {
        try await withTestRelay(configure: { $0.limits.negentropyFrameSizeLimit = 4096 }) { relay, port async throws in
            let shared = signedEvents(200, kind: 30000)
            let relayOnly = signedEvents(300, kind: 30000)
            _ = try await relay.store.save(shared + relayOnly)
            let clientOnly = signedEvents(300, kind: 30000)
            try await withClient(port: port) { client async throws in
                let result = try await sync(
                    client, "rounds", filter: "{}", local: items(shared + clientOnly), frameSizeLimit: 4096)
                #expect(result.rounds > 1, "\(result.rounds) round(s)")
                #expect(result.largestReply <= 2 * 4096, "a reply of \(result.largestReply) hex characters")
                #expect(result.have == Set(clientOnly.map(\.id)))
                #expect(result.need == Set(relayOnly.map(\.id)))
            }
        }
    }

    /// A session reconciles the store as it was at NEG-OPEN: events saved while it runs are not in it.
    @Test func aSessionKeepsTheSnapshotOfItsOpen() async throws {
        try await withTestRelay(configure: { $0.limits.negentropyFrameSizeLimit = 4096 }) { relay, port async throws in
            let stored = signedEvents(300, kind: 30000)
            _ = try await relay.store.save(stored)
            let local = items(signedEvents(300, kind: 30000))
            // Saved after the first reply, with created_at spread over the whole range.
            let late = signedEvents(50, kind: 30000)
            try await withClient(port: port) { client async throws in
                let result = try await sync(client, "snap", filter: "{}", local: local, frameSizeLimit: 4096) {
                    _ = try await relay.store.save(late)
                }
                #expect(result.rounds > 1, "\(result.rounds) round(s)")
                #expect(result.need == Set(stored.map(\.id)))
                // A new session sees them.
                let again = try await sync(client, "snap", filter: "{}", local: local)
                #expect(again.need == Set((stored + late).map(\.id)))
            }
        }
    }

    @Test func negOpenWithAnOpenIDReplacesTheSession() async throws {
        try await withTestRelay { relay, port async throws in
            let profiles = signedEvents(5, kind: 30000)
            let lists = signedEvents(7, kind: 30001)
            _ = try await relay.store.save(profiles + lists)
            try await withClient(port: port) { client async throws in
                try await client.send(negOpen: "s", filter: #"{"kinds":[30000]}"#, message: emptySetMessage())
                #expect(try await negentropyReply(client, "s").type == "NEG-MSG")
                let result = try await sync(client, "s", filter: #"{"kinds":[30001]}"#, local: []) {
                    // The replaced session is gone, not held beside the new one.
                    let open = try await openSessions(port)
                    #expect(open == 1)
                }
                #expect(result.need == Set(lists.map(\.id)))
                #expect(try await openSessions(port) == 0)
            }
        }
    }

    @Test func negCloseEndsTheSession() async throws {
        try await withTestRelay(configure: { $0.limits.negentropyFrameSizeLimit = 4096 }) { relay, port async throws in
            _ = try await relay.store.save(signedEvents(300, kind: 30000))
            try await withClient(port: port) { client async throws in
                var initiator = try NegentropyInitiator(
                    storage: NegentropyStorage(items(signedEvents(300, kind: 30000))), frameSizeLimit: 4096)
                try await client.send(negOpen: "c", filter: "{}", message: try initiator.initiate())
                let reply = try await negentropyReply(client, "c")
                let next = try #require(try initiator.reconcile(try hexMessage(of: reply)).nextMessage)
                try await client.send(#"["NEG-CLOSE","c"]"#)
                // No reply to NEG-CLOSE; the session is gone.
                try await client.send(negMessage: "c", message: next)
                let refused = try await negentropyReply(client, "c")
                #expect(refused.type == "NEG-ERR" && refused.string(2)?.hasPrefix("closed: ") == true, "\(refused)")
                #expect(try await openSessions(port) == 0)
                await client.expectResponsive()
            }
        }
    }

    /// Malformed negentropy input: `NEG-ERR "invalid: ..."` (unknown ids `"closed: ..."`), the session
    /// of that id closed, and the connection still answering.
    @Test func badInputIsRefusedAndTheConnectionGoesOn() async throws {
        try await withTestRelay { relay, port async throws in
            _ = try await relay.store.save(signedEvents(5, kind: 30000))
            try await withClient(port: port) { client async throws in
                let cases: [(what: String, json: String, prefix: String)] = [
                    ("bad version byte", #"["NEG-MSG","s","00"]"#, "invalid: "),
                    ("empty message", #"["NEG-MSG","s",""]"#, "invalid: "),
                    ("truncated varint", #"["NEG-MSG","s","61ff"]"#, "invalid: "),
                    ("truncated id prefix", #"["NEG-MSG","s","61000520"]"#, "invalid: "),
                    ("non-hex", #"["NEG-MSG","s","zz"]"#, "invalid: "),
                    ("unknown id", #"["NEG-MSG","nobody","61"]"#, "closed: "),
                ]
                for (what, json, prefix) in cases {
                    try await client.send(negOpen: "s", filter: "{}", message: emptySetMessage())
                    #expect(try await negentropyReply(client, "s").type == "NEG-MSG", "\(what)")
                    try await client.send(json)
                    let id = json.contains("nobody") ? "nobody" : "s"
                    let refused = try await negentropyReply(client, id)
                    #expect(refused.type == "NEG-ERR", "\(what): \(refused)")
                    #expect(refused.string(2)?.hasPrefix(prefix) == true, "\(what): \(refused)")
                    if id == "s" {
                        // After NEG-ERR the session is closed (NIP-77).
                        try await client.send(negMessage: "s", message: emptySetMessage())
                        let gone = try await negentropyReply(client, "s")
                        #expect(gone.string(2)?.hasPrefix("closed: ") == true, "\(what): \(gone)")
                    } else {
                        try await client.send(#"["NEG-CLOSE","s"]"#)
                    }
                    await client.expectResponsive()
                }
                // The same at NEG-OPEN: no session is kept.
                for (what, hex) in [("bad version byte", "00"), ("truncated varint", "61ff"), ("non-hex", "6g")] {
                    try await client.send(#"["NEG-OPEN","o",{},"\#(hex)"]"#)
                    let refused = try await negentropyReply(client, "o")
                    #expect(refused.type == "NEG-ERR", "\(what): \(refused)")
                    #expect(refused.string(2)?.hasPrefix("invalid: ") == true, "\(what): \(refused)")
                    await client.expectResponsive()
                }
                #expect(try await openSessions(port) == 0)
                // Another protocol version is not an error: the reply names the one spoken (0x61).
                try await client.send(#"["NEG-OPEN","v2",{},"62"]"#)
                let downgrade = try await negentropyReply(client, "v2")
                #expect(downgrade.type == "NEG-MSG" && downgrade.string(2) == "61", "\(downgrade)")
            }
        }
    }

    @Test func tooManyItemsIsBlocked() async throws {
        try await withTestRelay(configure: { $0.limits.negentropyMaxItems = 3 }) { relay, port async throws in
            let few = signedEvents(3, kind: 30000)
            let others = signedEvents(2, kind: 30001)
            _ = try await relay.store.save(few + others)
            try await withClient(port: port) { client async throws in
                try await client.send(negOpen: "all", filter: "{}", message: emptySetMessage())
                let refused = try await negentropyReply(client, "all")
                #expect(refused.type == "NEG-ERR", "\(refused)")
                #expect(refused.string(2)?.hasPrefix("blocked: too many results") == true, "\(refused)")
                await client.expectResponsive()
                // At the limit is fine.
                let result = try await sync(client, "few", filter: #"{"kinds":[30000]}"#, local: [])
                #expect(result.need == Set(few.map(\.id)))
            }
        }
    }

    @Test func sessionsPerConnectionAreLimited() async throws {
        try await withTestRelay(configure: { $0.limits.negentropyMaxSessions = 2 }) { _, port async throws in
            try await withClients(port: port, count: 2) { clients async throws in
                let client = clients[0]
                for id in ["a", "b"] {
                    try await client.send(negOpen: id, filter: "{}", message: emptySetMessage())
                    #expect(try await negentropyReply(client, id).type == "NEG-MSG")
                }
                try await client.send(negOpen: "c", filter: "{}", message: emptySetMessage())
                let refused = try await negentropyReply(client, "c")
                #expect(refused.type == "NEG-ERR", "\(refused)")
                #expect(refused.string(2)?.hasPrefix("blocked: ") == true, "\(refused)")
                // Replacing an open session is not one more.
                try await client.send(negOpen: "b", filter: "{}", message: emptySetMessage())
                #expect(try await negentropyReply(client, "b").type == "NEG-MSG")
                // The limit is per connection.
                try await clients[1].send(negOpen: "c", filter: "{}", message: emptySetMessage())
                #expect(try await negentropyReply(clients[1], "c").type == "NEG-MSG")
                // Closing one makes room.
                try await client.send(#"["NEG-CLOSE","a"]"#)
                try await client.send(negOpen: "c", filter: "{}", message: emptySetMessage())
                #expect(try await negentropyReply(client, "c").type == "NEG-MSG")
                await client.expectResponsive()
            }
        }
    }

    @Test func itemsHeldByAllConnectionsAreCapped() async throws {
        try await withTestRelay(configure: {
            $0.limits.negentropyMaxItems = 10
            $0.limits.negentropyMaxTotalItems = 10
        }) { relay, port async throws in
            _ = try await relay.store.save(signedEvents(6, kind: 30000))
            try await withClients(port: port, count: 2) { clients async throws in
                try await clients[0].send(negOpen: "first", filter: "{}", message: emptySetMessage())
                #expect(try await negentropyReply(clients[0], "first").type == "NEG-MSG")
                // Six more would hold twelve: refused, on any connection, until the first closes.
                try await clients[1].send(negOpen: "second", filter: "{}", message: emptySetMessage())
                let refused = try await negentropyReply(clients[1], "second")
                #expect(refused.type == "NEG-ERR", "\(refused)")
                #expect(refused.string(2)?.hasPrefix("rate-limited: too many negentropy syncs") == true, "\(refused)")
                await clients[1].expectResponsive()
                try await clients[0].send(#"["NEG-CLOSE","first"]"#)
                await clients[0].expectResponsive()  // the close is handled before the next NEG-OPEN
                try await clients[1].send(negOpen: "second", filter: "{}", message: emptySetMessage())
                #expect(try await negentropyReply(clients[1], "second").type == "NEG-MSG")
                // A refused or failed NEG-OPEN holds nothing: the malformed one gives its items back.
                try await clients[1].send(#"["NEG-CLOSE","second"]"#)
                try await clients[0].send(negOpen: "bad", filter: "{}", message: [0x61, 0x00, 0x8f])
                #expect(try await negentropyReply(clients[0], "bad").type == "NEG-ERR")
                try await clients[0].send(negOpen: "again", filter: "{}", message: emptySetMessage())
                #expect(try await negentropyReply(clients[0], "again").type == "NEG-MSG")
            }
        }
    }

    @Test func idleSessionsAreClosed() async throws {
        try await withTestRelay(configure: { $0.limits.negentropyIdleSeconds = 1 }) { _, port async throws in
            try await withClient(port: port) { client async throws in
                try await client.send(negOpen: "idle", filter: "{}", message: emptySetMessage())
                #expect(try await negentropyReply(client, "idle").type == "NEG-MSG")
                // Nothing more is sent: the relay closes the session by itself.
                let closed = try await negentropyReply(client, "idle", timeout: .seconds(15))
                #expect(closed.type == "NEG-ERR", "\(closed)")
                #expect(closed.string(2)?.hasPrefix("closed: ") == true, "\(closed)")
                #expect(try await openSessions(port) == 0)
                try await client.send(negMessage: "idle", message: emptySetMessage())
                let gone = try await negentropyReply(client, "idle")
                #expect(gone.string(2)?.hasPrefix("closed: ") == true, "\(gone)")
                await client.expectResponsive()
            }
        }
    }

    /// NEG-OPEN takes a request token like a REQ; NEG-MSG does not, so a sync under way goes on.
    @Test func negOpenIsRateLimitedLikeReq() async throws {
        try await withTestRelay(configure: { config in
            config.limits.reqRate = 0.001
            config.limits.reqBurst = 2
            config.limits.negentropyFrameSizeLimit = 4096
        }) { relay, port async throws in
            let stored = signedEvents(300, kind: 30000)
            _ = try await relay.store.save(stored)
            try await withClient(port: port) { client async throws in
                let result = try await sync(
                    client, "main", filter: "{}", local: items(signedEvents(300, kind: 30000)), frameSizeLimit: 4096
                ) {
                    for index in 0..<10 {
                        try await client.send(negOpen: "x\(index)", filter: "{}", message: emptySetMessage())
                    }
                    var refused = 0
                    for index in 0..<10 {
                        let reply = try await negentropyReply(client, "x\(index)")
                        if reply.type == "NEG-ERR" {
                            #expect(reply.string(2)?.hasPrefix("rate-limited: ") == true, "\(reply)")
                            refused += 1
                        }
                    }
                    #expect(refused >= 8, "only \(refused) of 10 NEG-OPENs were refused")
                }
                #expect(result.rounds > 1, "\(result.rounds) round(s)")
                #expect(result.need == Set(stored.map(\.id)))
            }
        }
    }

    @Test func negOpenPastTheDailyBudgetAsksForAuthentication() async throws {
        try await withTestRelay(configure: { $0.limits.eventsPerDayLimit = 3 }) { relay, port async throws in
            _ = try await relay.store.save(signedEvents(5, kind: 30000))
            try await withClient(port: port) { client async throws in
                #expect(try await client.requestRaw("all", [Filter(kinds: [30000])]).count == 5)
                try await client.send(negOpen: "n", filter: "{}", message: emptySetMessage())
                let refused = try await negentropyReply(client, "n")
                #expect(refused.type == "NEG-ERR", "\(refused)")
                #expect(refused.string(2)?.hasPrefix("auth-required: ") == true, "\(refused)")
                let challenge = try await client.take("AUTH after auth-required") { $0.type == "AUTH" }
                #expect(challenge.string(1) == client.challenge)
            }
        }
    }

    @Test func informationDocumentAdvertisesNegentropy() async throws {
        try await withTestRelay(configure: { $0.limits.negentropyMaxItems = 1234 }) { _, port async throws in
            let document = try await information(port)
            let nips = try #require(document["supported_nips"]?.arrayValue).compactMap(\.int64Value)
            #expect(nips.contains(77))
            #expect(document["negentropy"]?.int64Value == 1)
            let limitation = try #require(document["limitation"])
            #expect(limitation["negentropy_max_items"]?.int64Value == 1234)
            #expect(limitation["negentropy_max_sessions"]?.int64Value == 8)
            #expect(limitation["negentropy_idle_seconds"]?.int64Value == 60)
            #expect(limitation["negentropy_frame_size_limit"]?.int64Value == 60_000)
        }
    }

    @Test func disabledNegentropyIsRefusedAndNotAdvertised() async throws {
        try await withTestRelay(configure: { $0.limits.negentropyEnabled = false }) { _, port async throws in
            let document = try await information(port)
            let nips = try #require(document["supported_nips"]?.arrayValue).compactMap(\.int64Value)
            #expect(!nips.contains(77))
            #expect(document["negentropy"] == nil)
            #expect(document["limitation"]?["negentropy_max_items"] == nil)
            try await withClient(port: port) { client async throws in
                try await client.send(negOpen: "n", filter: "{}", message: emptySetMessage())
                let refused = try await negentropyReply(client, "n")
                #expect(refused.type == "NEG-ERR")
                #expect(refused.string(2) == "closed: negentropy sync (NIP-77) is not offered", "\(refused)")
                try await client.send(negMessage: "n", message: emptySetMessage())
                #expect(try await negentropyReply(client, "n").type == "NEG-ERR")
                try await client.send(#"["NEG-CLOSE","n"]"#)
                await client.expectResponsive()
            }
        }
    }
}

// MARK: Helpers

/// What one reconciliation taught the client.
private struct SyncResult {
    var have: Set<EventID> = []
    var need: Set<EventID> = []
    /// Replies received (NEG-OPEN's included).
    var rounds = 0
    /// The longest reply, in hex characters.
    var largestReply = 0
}

/// Reconciles `local` with the relay's events matching `filter` as session `id`: NEG-OPEN, then
/// NEG-MSG until the initiator is done, then NEG-CLOSE. `afterFirstReply` runs once, between the
/// relay's first reply and the next message.
private func sync(
    _ client: NostrTestClient, _ id: String, filter: String, local: [NegentropyItem], frameSizeLimit: Int = 0,
    afterFirstReply: () async throws -> Void = {}
) async throws -> SyncResult {
    var initiator = try NegentropyInitiator(storage: NegentropyStorage(local), frameSizeLimit: frameSizeLimit)
    var result = SyncResult()
    try await client.send(negOpen: id, filter: filter, message: try initiator.initiate())
    while true {
        let reply = try await negentropyReply(client, id)
        let message = try hexMessage(of: reply)
        result.rounds += 1
        result.largestReply = max(result.largestReply, 2 * message.count)
        if result.rounds == 1 { try await afterFirstReply() }
        let step = try initiator.reconcile(message)
        result.have.formUnion(step.haveIDs)
        result.need.formUnion(step.needIDs)
        guard let next = step.nextMessage else { break }
        try await client.send(negMessage: id, message: next)
    }
    try await client.send("[\"NEG-CLOSE\",\(NostrTestClient.quoted(id))]")
    return result
}

/// The next NEG-MSG or NEG-ERR of session `id`.
private func negentropyReply(
    _ client: NostrTestClient, _ id: String, timeout: Duration = NostrTestClient.defaultTimeout
) async throws -> RelayFrame {
    try await client.take("NEG-MSG/NEG-ERR of \(id)", timeout: timeout) {
        ($0.type == "NEG-MSG" || $0.type == "NEG-ERR") && $0.string(1) == id
    }
}

/// The binary message of a NEG-MSG; throws for anything else.
private func hexMessage(of reply: RelayFrame) throws -> [UInt8] {
    guard reply.type == "NEG-MSG", let hex = reply.string(2), let message = Hex.decode(hex) else {
        throw TestFailure("expected a NEG-MSG: \(reply)")
    }
    return message
}

/// An initiator's first message for an empty set.
private func emptySetMessage() throws -> [UInt8] {
    var initiator = try NegentropyInitiator(storage: NegentropyStorage([]))
    return try initiator.initiate()
}

/// `count` signed addressable events of one new author, three per second over the last hours, so
/// that many share a `created_at` (ties are ordered by id).
private func signedEvents(_ count: Int, kind: Kind) -> [Event] {
    let author = KeyPair.generate()
    let start = unixNow - 20_000 + Int64.random(in: 0..<1000)
    return (0..<count).map { index in
        author.event(kind, tags: [["d", "\(index)"]], at: start + Int64(index / 3))
    }
}

/// The negentropy items of `events`.
private func items(_ events: [Event]) -> [NegentropyItem] {
    events.map { NegentropyItem(createdAt: UInt64($0.createdAt), id: $0.id) }
}

/// The relay's NIP-11 document.
private func information(_ port: Int) async throws -> JSONValue {
    try JSONValue.parse(Array(try await httpGet("http://127.0.0.1:\(port)/", accept: "application/nostr+json").body))
}

/// `purplepages_negentropy_sessions` on `/metrics`.
private func openSessions(_ port: Int) async throws -> Int? {
    let text = try await httpGet("http://127.0.0.1:\(port)/metrics").text
    return prometheusSample(text, "purplepages_negentropy_sessions").map { Int($0) }
}

extension NostrTestClient {
    /// Sends `["NEG-OPEN", id, filter, hex]`.
    fileprivate func send(negOpen id: String, filter: String, message: [UInt8]) async throws {
        try await send("[\"NEG-OPEN\",\(Self.quoted(id)),\(filter),\"\(Hex.encode(message))\"]")
    }

    /// Sends `["NEG-MSG", id, hex]`.
    fileprivate func send(negMessage id: String, message: [UInt8]) async throws {
        try await send("[\"NEG-MSG\",\(Self.quoted(id)),\"\(Hex.encode(message))\"]")
    }
}
