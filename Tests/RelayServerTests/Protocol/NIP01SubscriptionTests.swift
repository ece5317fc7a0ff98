import Foundation
import NostrCore
import PurplePagesTestSupport
import Testing

/// Subscriptions end to end (NIP-01): live delivery, CLOSE, replacing a subscription, `limit: 0`.
@Suite("NIP-01 subscriptions over WebSockets")
struct NIP01SubscriptionTests {
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

    /// The fan-out of a commit runs after its OK; a REQ answered from the store in between must get
    /// the event once (in its stored results), not again as a live event after EOSE.
    @Test func anEventIsDeliveredOnceToASubscriptionOpenedRightAfterItsCommit() async throws {
        try await withTestRelay { _, port async throws in
            try await withClients(port: port, count: 2) { clients async throws in
                let (watcher, publisher) = (clients[0], clients[1])
                // Live subscriptions elsewhere, so that every commit is fanned out, and the fan-out
                // has work to do.
                for index in 0..<50 {
                    #expect(try await watcher.requestRaw("all-\(index)", [Filter(kinds: [.metadata])]).isEmpty)
                }
                for round in 0..<40 {
                    let event = KeyPair.generate().event(.metadata, content: #"{"name":"round \#(round)"}"#)
                    let id = "once-\(round)"
                    // The REQ as soon as the OK is in: the commit's fan-out may not have run yet.
                    try await publisher.send(event: event)
                    _ = try await publisher.ok(for: event.id.hex)
                    try await publisher.send(request: id, [Filter(ids: [event.id])])
                    _ = try await publisher.take("EOSE \(id)") { $0.type == "EOSE" && $0.string(1) == id }
                    try await Task.sleep(for: .milliseconds(20))
                    // Before EOSE (stored) or after it (live), but exactly once.
                    let copies = publisher.pending.filter { $0.type == "EVENT" && $0.string(1) == id }.count
                    #expect(copies == 1, "round \(round): \(copies) copies of the event")
                    for _ in 0..<copies {
                        _ = try await publisher.take("EVENT \(id)") { $0.type == "EVENT" && $0.string(1) == id }
                    }
                    try await publisher.send(close: id)
                    for index in 0..<50 { _ = try await watcher.liveEvent("all-\(index)") }
                }
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
