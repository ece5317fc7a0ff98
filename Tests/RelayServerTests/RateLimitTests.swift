import PurplePagesConfiguration
import Testing

@testable import RelayServer

@Suite("Rate limits")
struct RateLimitTests {
    @Test func tokenBucketsAllowTheBurstThenTheRate() {
        let buckets = TokenBuckets(rate: 2, burst: 5)
        let allowed = (0..<8).filter { _ in buckets.take("1.2.3.4", now: 100) }.count
        #expect(allowed == 5)
        #expect(!buckets.take("1.2.3.4", now: 100.2))  // 0.4 tokens regained: not enough
        #expect(buckets.take("1.2.3.4", now: 100.6))  // 1.2 tokens
        #expect(buckets.take("5.6.7.8", now: 100.6))  // other IPs have their own bucket
        #expect(TokenBuckets(rate: 0, burst: 0).take("x", now: 0))  // rate 0: unlimited
    }

    @Test func tokenBucketsForgetIdleKeysWithinTheirBound() {
        let buckets = TokenBuckets(rate: 1, burst: 1, maxKeys: 10)
        for index in 0..<100 {
            _ = buckets.take("10.0.0.\(index)", now: Double(index) / 1000)
            #expect(buckets.count <= 10)
        }
        // A key seen long ago is full again and may spend.
        #expect(buckets.take("10.0.0.0", now: 200))
        // A key drained just now is still drained.
        _ = buckets.take("busy", now: 300)
        #expect(!buckets.take("busy", now: 300))
    }

    @Test func servedBudgetCountsTheLast24Hours() {
        let budget = ServedBudget(limit: 1000)
        let start: Int64 = 1_760_000_000
        budget.record("a", count: 600, now: start)
        #expect(budget.allows("a", now: start))
        budget.record("a", count: 400, now: start + 3600)
        #expect(!budget.allows("a", now: start + 3600))
        #expect(budget.allows("b", now: start + 3600))
        // The first hour's 600 leave the window a day later.
        #expect(budget.allows("a", now: start + 24 * 3600 + 10))
        #expect(ServedBudget(limit: 0).allows("a", now: start))
        let bounded = ServedBudget(limit: 1000, maxKeys: 10)
        for index in 0..<100 {
            bounded.record("ip\(index)", count: 1, now: start + Int64(index))
            #expect(bounded.count <= 10)
        }
        #expect(bounded.count >= 9)  // shrinks to 90%, not to nothing
    }

    @Test func forwardedForIsBelievedOnlyFromTrustedProxies() throws {
        let resolver = try ClientAddress(trustedProxies: ["127.0.0.1/32", "10.0.0.0/8", "fd00::/8"])
        #expect(resolver.resolve(peer: "127.0.0.1", forwardedFor: "203.0.113.7") == "203.0.113.7")
        #expect(resolver.resolve(peer: "198.51.100.1", forwardedFor: "203.0.113.7") == "198.51.100.1")
        // A client-supplied first hop is skipped when the trusted proxy appended the real address.
        #expect(resolver.resolve(peer: "10.1.2.3", forwardedFor: "1.1.1.1, 203.0.113.9, 10.0.0.5") == "203.0.113.9")
        #expect(resolver.resolve(peer: "fd12::1", forwardedFor: "2001:db8::7") == "2001:db8::7")
        #expect(resolver.resolve(peer: "127.0.0.1", forwardedFor: nil) == "127.0.0.1")
        #expect(throws: ConfigurationError.self) { _ = try ClientAddress(trustedProxies: ["10.0.0.0/33"]) }
    }

    /// `X-Real-IP` counts only from a trusted proxy, after `X-Forwarded-For`, and only when it is an
    /// address; a walk back through `X-Forwarded-For` stops at a value that is not one.
    @Test func realIPIsBelievedOnlyFromTrustedProxiesAfterForwardedFor() throws {
        let resolver = try ClientAddress(trustedProxies: ["127.0.0.1/32", "10.0.0.0/8"])
        #expect(resolver.resolve(peer: "127.0.0.1", forwardedFor: nil, realIP: "203.0.113.7") == "203.0.113.7")
        #expect(resolver.resolve(peer: "127.0.0.1", forwardedFor: nil, realIP: " 2001:db8::7 ") == "2001:db8::7")
        #expect(resolver.resolve(peer: "127.0.0.1", forwardedFor: nil, realIP: "[2001:db8::7]") == "2001:db8::7")
        #expect(resolver.resolve(peer: "198.51.100.1", forwardedFor: nil, realIP: "203.0.113.7") == "198.51.100.1")
        // Both: X-Forwarded-For wins (it names the client behind every proxy we trust).
        #expect(
            resolver.resolve(peer: "127.0.0.1", forwardedFor: "203.0.113.9, 10.0.0.5", realIP: "10.0.0.5")
                == "203.0.113.9")
        // Values that are not addresses are ignored.
        for junk in ["", "unknown", "203.0.113.7:443", "256.1.1.1", "example.com"] {
            #expect(resolver.resolve(peer: "127.0.0.1", forwardedFor: nil, realIP: junk) == "127.0.0.1", "\(junk)")
            #expect(resolver.resolve(peer: "127.0.0.1", forwardedFor: junk, realIP: nil) == "127.0.0.1", "\(junk)")
        }
        // X-Real-IP holds one address, never a list.
        #expect(resolver.resolve(peer: "127.0.0.1", forwardedFor: nil, realIP: "1.2.3.4, 5.6.7.8") == "127.0.0.1")
        #expect(resolver.resolve(peer: "127.0.0.1", forwardedFor: "unknown", realIP: "203.0.113.7") == "203.0.113.7")
        // A client's own junk beyond the first untrusted hop does not matter ...
        #expect(resolver.resolve(peer: "127.0.0.1", forwardedFor: "junk, 203.0.113.9", realIP: nil) == "203.0.113.9")
        // ... but junk where a trusted proxy's hop should be ends the walk.
        #expect(resolver.resolve(peer: "127.0.0.1", forwardedFor: "203.0.113.9, junk", realIP: nil) == "127.0.0.1")
        #expect(resolver.resolve(peer: "127.0.0.1", forwardedFor: " , ", realIP: "203.0.113.7") == "203.0.113.7")
    }

    @Test func cidrParsing() throws {
        let v4 = try #require(CIDR("192.168.0.0/16"))
        #expect(v4.contains(try #require(CIDR.parseAddress("192.168.255.1"))))
        #expect(!v4.contains(try #require(CIDR.parseAddress("192.169.0.1"))))
        let v6 = try #require(CIDR("2001:db8::/32"))
        #expect(v6.contains(try #require(CIDR.parseAddress("2001:db8:1::1"))))
        #expect(!v6.contains(try #require(CIDR.parseAddress("2001:db9::1"))))
        #expect(CIDR.parseAddress("::1") == [UInt8](repeating: 0, count: 15) + [1])
        for bad in ["1.2.3", "1.2.3.256", "::1::2", "x", "1:2:3:4:5:6:7:8:9", "10.0.0.0/40"] {
            #expect(CIDR(bad) == nil, "\(bad)")
        }
    }
}
