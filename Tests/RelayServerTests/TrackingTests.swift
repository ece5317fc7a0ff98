import Foundation
import NostrCore
import NostrCoreTesting
import PGAnalytics
import PurplePagesTestSupport
import RelayServer
import Testing

/// The relay's analytics tracking, end to end: a real relay, a real WebSocket client, the sink
/// flushed into a real PostgreSQL schema of the test's own.
@Suite("Analytics tracking of client traffic")
struct TrackingTests {
    /// A schema of this test's own, migrated, and a connection whose search path is that schema.
    private struct TrackingSchema {
        let schema: TestSchema
        let connection: PostgresConnection

        init() throws {
            schema = try TestSchema(prefix: "relay_tracking")
            connection = try PostgresConnection(url: schema.url)
            try AnalyticsSchema.migrate(connection)
        }

        func value(_ sql: String, _ parameters: [PostgresValue] = []) throws -> Int64? {
            try connection.execute(sql, parameters).rows.first?.int64(0)
        }
    }

    @Test func clientTrafficIsRecordedExactlyAndNothingElse() async throws {
        let schema = try TrackingSchema()
        let sink = TrackingSink()
        let alice = KeyPair.generate()
        let bob = KeyPair.generate()
        try await withTestRelay(tracking: sink) { _, port async throws in
            try await withClient(port: port) { client async throws in
                // Publishing replaceable events makes the store look up older versions and
                // tombstones: none of that is client REQ traffic.
                let first = alice.sign(kind: .metadata, tags: [], content: #"{"name":"a1"}"#, createdAt: unixNow - 10)
                let second = alice.sign(kind: .metadata, tags: [], content: #"{"name":"a2"}"#, createdAt: unixNow)
                #expect(try await client.publish(first).accepted)
                #expect(try await client.publish(second).accepted)
                #expect(try await client.publish(bob.event(.metadata)).accepted)
                let note = bob.event(1, content: "kind 1 is not allowed")
                #expect(try await !client.publish(note).accepted)

                let profiles = try await client.requestRaw(
                    "p", [Filter(authors: [alice.publicKey, bob.publicKey], kinds: [.metadata])])
                #expect(profiles.count == 2)
                #expect(try await client.requestRaw("notes", [Filter(kinds: [1])]).isEmpty)
                #expect(try await client.count("c", [Filter(authors: [alice.publicKey], kinds: [.metadata])]) == 1)
            }
        }
        let report = try sink.flush(to: schema.connection)
        #expect(report.totalRows > 0)

        let ip = PostgresValue.string("127.0.0.1")
        // Three filters (two REQs, one COUNT), two events served.
        #expect(try schema.value("SELECT request_count FROM ip_traffic_daily WHERE ip = $1", [ip]) == 3)
        #expect(try schema.value("SELECT events_served FROM ip_traffic_daily WHERE ip = $1", [ip]) == 2)
        #expect(try schema.value("SELECT sum(request_count)::bigint FROM ip_traffic_hourly WHERE ip = $1", [ip]) == 3)
        #expect(
            try schema.value(
                "SELECT total_requests FROM req_pubkey_popularity WHERE pubkey = $1", [.string(alice.publicKey.hex)])
                == 2)
        #expect(
            try schema.value(
                "SELECT total_requests FROM req_pubkey_popularity WHERE pubkey = $1", [.string(bob.publicKey.hex)])
                == 1)
        #expect(try schema.value("SELECT count(*) FROM req_pubkey_popularity") == 2)
        #expect(try schema.value("SELECT count(*) FROM req_author_cooccurrence") == 1)
        #expect(try schema.value("SELECT request_count FROM req_kind_totals WHERE kind = 0") == 2)
        #expect(try schema.value("SELECT request_count FROM req_kind_totals WHERE kind = 1") == 1)
        #expect(try schema.value("SELECT request_count FROM rejected_req_kinds WHERE kind = 1") == 1)
        #expect(try schema.value("SELECT count(*) FROM rejected_req_kinds") == 1)
        #expect(
            try schema.value(
                "SELECT rejection_count FROM rejected_events WHERE kind = 1 AND pubkey = $1",
                [.string(bob.publicKey.hex)]) == 1)
        // The replaced profile went to event_history, with its exact content.
        let history = try schema.connection.execute("SELECT id, content FROM event_history").rows
        #expect(history.count == 1)
        #expect(try history.first?.string(1) == #"{"name":"a1"}"#)
    }

    @Test func withoutATrackingSinkNothingIsRecordedAndTheRelayWorks() async throws {
        try await withTestRelay { relay, port async throws in
            #expect(relay.traffic == nil)
            try await withClient(port: port) { client async throws in
                #expect(try await client.publish(KeyPair.generate().event(.metadata)).accepted)
                #expect(try await client.requestRaw("p", [Filter(kinds: [.metadata])]).count == 1)
            }
        }
    }
}
