import Foundation
import NostrCore
import PGAnalytics
import PurplePagesTestSupport
import RelayServer
import Testing

@testable import RelayServices

/// The analytics tracking's backlog on a real relay's `/metrics`: pending keys as a gauge, dropped
/// keys and failed flushes as counters that show the sink's running totals.
@Suite("Analytics tracking on /metrics")
struct TrackingMetricsTests {
    @Test func droppedKeysAndFailedFlushesAreCounters() async throws {
        let sink = TrackingSink(limits: TrackingLimits(maxKeys: 4))
        try await withTestRelay(tracking: sink) { relay, port async throws in
            TrackingMetrics.register(sink, in: relay.metrics)
            let url = "http://127.0.0.1:\(port)/metrics"
            let quiet = try await httpGet(url).text
            #expect(prometheusSample(quiet, "purplepages_analytics_dropped_keys_total") == 0)
            #expect(prometheusSample(quiet, "purplepages_analytics_flush_failures_total") == 0)
            #expect(prometheusSample(quiet, "purplepages_analytics_pending_keys") == 0)
            for (name, type) in [
                ("purplepages_analytics_dropped_keys_total", "counter"),
                ("purplepages_analytics_flush_failures_total", "counter"),
                ("purplepages_analytics_pending_keys", "gauge"),
            ] {
                #expect(quiet.contains("# TYPE \(name) \(type)\n"), "\(name)")
            }

            // Each REQ names a new author: far more keys than the sink may hold.
            try await withClient(port: port) { client async throws in
                for index in 0..<6 {
                    _ = try await client.requestRaw("r\(index)", [Filter(authors: [KeyPair.generate().publicKey])])
                }
            }
            let busy = try await httpGet(url).text
            let dropped = try #require(prometheusSample(busy, "purplepages_analytics_dropped_keys_total"))
            #expect(dropped > 0 && dropped == Double(sink.droppedKeys), "\(dropped) vs \(sink.droppedKeys)")
            #expect(prometheusSample(busy, "purplepages_analytics_pending_keys") == Double(sink.pendingKeys))
            // A scrape adds what the totals grew by, not the totals again.
            let again = try await httpGet(url).text
            #expect(prometheusSample(again, "purplepages_analytics_dropped_keys_total") == dropped)

            // A flush into a schema without the tracking tables fails (libpq blocks: off the pool).
            let schema = try TestSchema(prefix: "tracking_metrics")
            defer { withExtendedLifetime(schema) {} }
            let failed = await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    do {
                        try sink.flush(to: schema.connect())
                        continuation.resume(returning: false)
                    } catch {
                        continuation.resume(returning: true)
                    }
                }
            }
            #expect(failed)
            #expect(sink.flushFailures == 1)
            let after = try await httpGet(url).text
            #expect(prometheusSample(after, "purplepages_analytics_flush_failures_total") == 1)
            #expect(
                prometheusSample(after, "purplepages_analytics_dropped_keys_total") == Double(sink.droppedKeys))
            #expect(prometheusSample(after, "purplepages_analytics_pending_keys") == Double(sink.pendingKeys))
        }
    }
}
