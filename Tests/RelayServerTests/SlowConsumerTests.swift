import Foundation
import NostrCore
import NostrCoreTesting
import PurplePagesTestSupport
import Testing

@testable import RelayServer

@Suite("Clients that stop reading or vanish")
struct SlowConsumerTests {
    /// A subscriber that never reads while large events keep matching its subscription is
    /// disconnected once its queue is full; the relay keeps serving everyone else.
    @Test func aSubscriberThatStopsReadingIsDisconnected() async throws {
        try await withTestRelay(configure: {
            $0.limits.outboundQueueMessages = 16
            $0.limits.outboundQueueBytes = 256 << 10
        }) { relay, port async throws in
            let stalled = try await RawWebSocket.connect(port: port)
            try stalled.send(text: #"["REQ","live",{"kinds":[0],"limit":0}]"#)
            try await waitUntil("the subscription is live") { relay.subscriptions.count == 1 }
            try await withClient(port: port) { publisher async throws in
                let content = String(repeating: "x", count: 100_000)
                var published = 0
                // Kernel buffers take a few megabytes before the relay's queue fills.
                let slow = "purplepages_slow_consumers_total"
                while try await metric(slow, port: port) == 0 && published < 400 {
                    let event = KeyPair.generate().sign(
                        kind: .metadata, content: content, createdAt: Int64(Date().timeIntervalSince1970))
                    #expect(try await publisher.publish(event).accepted)
                    published += 1
                }
                #expect(try await metric(slow, port: port) == 1, "still connected after \(published) events")
                #expect(await stalled.drainUntilClosed(seconds: 10), "the stalled connection was not closed")
                try await waitUntil("the stalled subscription is gone") { relay.subscriptions.count == 0 }
                await publisher.expectResponsive()
            }
        }
    }

    /// A client that disappears with unread data (the kernel answers with a reset, not a close)
    /// leaves nothing behind: the relay's connection ends and its subscriptions go.
    @Test(arguments: [nil, "permessage-deflate"])
    func aResetConnectionIsReleased(extensions: String?) async throws {
        try await withTestRelay { relay, port async throws in
            let vanishing = try await RawWebSocket.connect(port: port, extensions: extensions)
            try vanishing.send(text: #"["REQ","live",{"kinds":[0],"limit":0}]"#)
            try await waitUntil("the subscription is live") { relay.subscriptions.count == 1 }
            vanishing.close()  // the AUTH greeting and EOSE are still unread
            try await waitUntilOpenConnections(0, port: port)
            try await waitUntil("the subscription is gone") { relay.subscriptions.count == 0 }
        }
    }

    private func waitUntil(_ what: String, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw TestFailure("timed out waiting until \(what)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
