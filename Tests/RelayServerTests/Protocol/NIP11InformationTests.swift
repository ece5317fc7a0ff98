import Foundation
import NostrCore
import PurplePagesTestSupport
import Testing

/// The relay information document and HTML page over HTTP (NIP-11).
@Suite("NIP-11 over HTTP")
struct NIP11InformationTests {
    @Test func informationDocumentWithCORSHeaders() async throws {
        try await withTestRelay(configure: { config in
            config.identity.name = "Test <b>Relay</b>"
            config.limits.maxLimit = 321
            config.limits.defaultLimit = 100
            config.limits.maxSubscriptions = 7
            config.limits.maxFilters = 4
            config.limits.maxEventTags = 99
            config.limits.maxContentLength = 5000
            config.limits.maxMessageBytes = 70_000
        }) { _, port async throws in
            let answer = try await httpGet("http://127.0.0.1:\(port)/", accept: "application/nostr+json")
            #expect(answer.status == 200)
            #expect(answer.header("Content-Type")?.hasPrefix("application/nostr+json") == true)
            #expect(answer.header("Access-Control-Allow-Origin") == "*")
            #expect(answer.header("Access-Control-Allow-Headers") != nil)
            #expect(answer.header("Access-Control-Allow-Methods")?.contains("GET") == true)
            let document = try JSONValue.parse(Array(answer.body))
            #expect(document["name"]?.stringValue == "Test <b>Relay</b>")
            #expect(document["description"]?.stringValue?.isEmpty == false)
            let nips = try #require(document["supported_nips"]?.arrayValue).compactMap(\.int64Value)
            for nip: Int64 in [1, 9, 11, 42, 45, 70] { #expect(nips.contains(nip), "NIP-\(nip) is not advertised") }
            let limitation = try #require(document["limitation"])
            #expect(limitation["max_limit"]?.int64Value == 321)
            #expect(limitation["default_limit"]?.int64Value == 100)
            #expect(limitation["max_subscriptions"]?.int64Value == 7)
            #expect(limitation["max_filters"]?.int64Value == 4)
            #expect(limitation["max_event_tags"]?.int64Value == 99)
            #expect(limitation["max_content_length"]?.int64Value == 5000)
            #expect(limitation["max_message_length"]?.int64Value == 70_000)
            #expect(limitation["max_subid_length"]?.int64Value == 64)
            #expect(limitation["auth_required"] == .bool(false))
            #expect(limitation["payment_required"] == .bool(false))
        }
    }

    @Test func htmlPageEscapesTheName() async throws {
        try await withTestRelay(configure: { $0.identity.name = "<b>Bold & \"Co\"</b>" }) { _, port async throws in
            for accept in [nil, "text/html"] {
                let answer = try await httpGet("http://127.0.0.1:\(port)/", accept: accept)
                #expect(answer.status == 200)
                #expect(answer.header("Content-Type")?.hasPrefix("text/html") == true)
                #expect(answer.header("Access-Control-Allow-Origin") == "*")
                #expect(answer.text.contains("&lt;b&gt;Bold &amp; &quot;Co&quot;&lt;/b&gt;"))
                #expect(!answer.text.contains("<b>Bold"))
                #expect(!answer.text.contains("\"Co\""))
            }
        }
    }
}
