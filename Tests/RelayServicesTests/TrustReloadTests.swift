import Foundation
import NostrCore
import PGAnalytics
import PurplePagesTestSupport
import RelayServices
import Testing

/// The relay's copy of the worker's trust results, reloaded from PostgreSQL.
@Suite struct TrustReloadTests {
    private func key(_ byte: UInt8) -> String { String(repeating: String(format: "%02x", byte), count: 32) }

    @Test func reloadsTheTrustedSetAndCountsAtTheThreshold() throws {
        let schema = try TestSchema(prefix: "trust_reload")
        let connection = try PostgresConnection(url: schema.url)
        defer { connection.close() }
        try AnalyticsSchema.migrate(connection)
        let provider = AnalyticsTrustResults(minimumFollowers: 10, maxPubkeys: 100)
        #expect(try provider.reload(from: connection) == (0, 0))
        for (byte, followers) in [(1, 12), (2, 10), (3, 9)] as [(UInt8, Int)] {
            try connection.execute(
                "INSERT INTO pubkey_rankings VALUES ($1, 0.1, $2, $3, now())",
                [.string(key(byte)), .int(Int(byte)), .int(followers)])
        }
        try connection.execute(
            "INSERT INTO trusted_pubkeys VALUES ($1, 'seed', 0, 0, now()), ($2, 'propagated', 1, 12, now())",
            [.string(key(9)), .string(key(1))])
        #expect(provider.trustedFollowerCount(of: key(1)) == 0)
        let loaded = try provider.reload(from: connection)
        #expect(loaded == (2, 2))
        #expect(provider.trustedFollowerCount(of: key(1)) == 12)
        #expect(provider.trustedFollowerCount(of: key(2)) == 10)
        #expect(provider.trustedFollowerCount(of: key(3)) == 0)
        #expect(provider.isTrusted(key(9)))
        #expect(!provider.isTrusted(key(2)))
        #expect(!provider.isTrusted("not hex"))
        // A later pass that drops a pubkey drops it here too.
        try connection.execute("DELETE FROM pubkey_rankings WHERE pubkey = $1", [.string(key(1))])
        try provider.reload(from: connection)
        #expect(provider.trustedFollowerCount(of: key(1)) == 0)
        #expect(provider.counts.withFollowerCount == 1)
    }

    @Test func holdsAtMostTheConfiguredNumberOfPubkeys() throws {
        let schema = try TestSchema(prefix: "trust_bound")
        let connection = try PostgresConnection(url: schema.url)
        defer { connection.close() }
        try AnalyticsSchema.migrate(connection)
        for byte in UInt8(1)...20 {
            try connection.execute(
                "INSERT INTO pubkey_rankings VALUES ($1, 0.1, $2, $3, now())",
                [.string(key(byte)), .int(Int(byte)), .int(100 + Int(byte))])
            try connection.execute(
                "INSERT INTO trusted_pubkeys VALUES ($1, 'seed', 0, $2, now())", [.string(key(byte)), .int(Int(byte))])
        }
        let provider = AnalyticsTrustResults(minimumFollowers: 1, maxPubkeys: 5)
        #expect(try provider.reload(from: connection) == (5, 5))
        // The most followed are the ones kept.
        #expect(provider.trustedFollowerCount(of: key(20)) == 120)
        #expect(provider.trustedFollowerCount(of: key(15)) == 0)
        #expect(provider.isTrusted(key(20)))
        #expect(!provider.isTrusted(key(1)))
    }
}
