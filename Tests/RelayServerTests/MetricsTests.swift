import Foundation
import NostrCore
import PurplePagesTestSupport
import Testing

@Suite("Prometheus metrics over HTTP")
struct MetricsTests {
    @Test func countsConnectionsEventsAndRequests() async throws {
        try await withTestRelay { _, port async throws in
            try await withClient(port: port) { client async throws in
                let pair = KeyPair.generate()
                let good = pair.sign(kind: .metadata, content: "{}", createdAt: Int64(Date().timeIntervalSince1970))
                #expect(try await client.publish(good).accepted)
                let bad = pair.sign(kind: 1, content: "not allowed", createdAt: Int64(Date().timeIntervalSince1970))
                #expect(try await !client.publish(bad).accepted)
                _ = try await client.requestRaw("m", [Filter(kinds: [.metadata])])
                let answer = try await httpGet("http://127.0.0.1:\(port)/metrics")
                #expect(answer.status == 200)
                #expect(answer.header("Content-Type")?.hasPrefix("text/plain") == true)
                let text = answer.text
                #expect(prometheusSample(text, "purplepages_events_accepted_total") == 1)
                #expect(prometheusSample(text, #"purplepages_events_rejected_total{reason="blocked"}"#) == 1)
                #expect(prometheusSample(text, "purplepages_requests_total") == 1)
                #expect(prometheusSample(text, "purplepages_connections") == 1)
                #expect(prometheusSample(text, "purplepages_live_subscriptions") == 1)
                // The accepted event was committed by the store's writer: one batch of one event.
                #expect(prometheusSample(text, "purplepages_writer_batch_events_count") == 1)
                #expect(prometheusSample(text, "purplepages_writer_batch_events_sum") == 1)
                #expect(prometheusSample(text, "purplepages_writer_commit_seconds_count") == 1)
                #expect(prometheusSample(text, "purplepages_slow_consumers_total") == 0)
            }
        }
    }
}
