import Foundation
import NostrCore
import Testing

@Suite("Prometheus metrics over HTTP")
struct MetricsTests {
    /// The value of a sample line `name{labels} value` in a Prometheus exposition.
    private func sample(_ text: String, _ name: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.split(separator: " ").last ?? "")
        }
        return nil
    }

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
                #expect(sample(text, "purplepages_events_accepted_total") == 1)
                #expect(sample(text, #"purplepages_events_rejected_total{reason="blocked"}"#) == 1)
                #expect(sample(text, "purplepages_requests_total") == 1)
                #expect(sample(text, "purplepages_connections") == 1)
                #expect(sample(text, "purplepages_live_subscriptions") == 1)
            }
        }
    }
}
