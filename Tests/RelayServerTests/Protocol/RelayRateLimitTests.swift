import Foundation
import NostrCore
import PurplePagesTestSupport
import Testing

/// The per-IP rate limits and daily budget end to end.
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
