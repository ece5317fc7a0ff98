import Foundation
import NostrCore
import PurplePagesTestSupport
import Testing

/// Malformed messages, frames and events: refused with a NOTICE, CLOSED or OK false, and the
/// connection keeps working.
@Suite("Bad input over WebSockets")
struct RelayBadInputTests {
    @Test func malformedJSONGetsAnInvalidNotice() async throws {
        try await withTestRelay { _, port async throws in
            try await withClient(port: port) { client async throws in
                for text in ["not json", "[", "{}", "[]", "[1,2]", #"["REQ""#, "[\"EVENT\",{]"] {
                    try await client.send(text)
                    let notice = try await client.nextReply()
                    #expect(notice.type == "NOTICE", "\(text) -> \(notice)")
                    #expect(notice.string(1)?.hasPrefix("invalid:") == true, "\(text) -> \(notice)")
                    await client.expectResponsive()
                }
                // Truncated after a readable subscription id: NOTICE, or CLOSED for that id.
                try await client.send(#"["REQ","x",{"kinds":[0]"#)
                let reply = try await client.nextReply()
                let text = reply.type == "NOTICE" ? reply.string(1) : reply.string(2)
                #expect(reply.type == "NOTICE" || (reply.type == "CLOSED" && reply.string(1) == "x"), "\(reply)")
                #expect(text?.hasPrefix("invalid:") == true, "\(reply)")
                await client.expectResponsive()
            }
        }
    }

    @Test func badSubscriptionIDsAreRefused() async throws {
        try await withTestRelay { _, port async throws in
            try await withClient(port: port) { client async throws in
                for id in ["", String(repeating: "s", count: 65)] {
                    try await client.send(NostrTestClient.message("REQ", id, [#"{"kinds":[0]}"#]))
                    let reply = try await client.nextReply()
                    let text = reply.type == "NOTICE" ? reply.string(1) : reply.string(2)
                    #expect(reply.type == "NOTICE" || reply.type == "CLOSED", "\(reply)")
                    #expect(text?.hasPrefix("invalid:") == true, "\(reply)")
                    await client.expectResponsive()
                }
                // 64 characters is allowed.
                let longest = String(repeating: "s", count: 64)
                #expect(try await client.requestRaw(longest, [Filter(kinds: [.metadata])]).isEmpty)
            }
        }
    }

    @Test func binaryFrameGetsANotice() async throws {
        try await withTestRelay { _, port async throws in
            try await withClient(port: port) { client async throws in
                try await client.sendBinary(Array(#"["REQ","bin",{}]"#.utf8))
                let notice = try await client.nextReply()
                #expect(notice.type == "NOTICE", "\(notice)")
                await client.expectResponsive()
            }
        }
    }

    @Test func unknownMessageTypeGetsANotice() async throws {
        try await withTestRelay { _, port async throws in
            try await withClient(port: port) { client async throws in
                try await client.send(#"["HELLO","world"]"#)
                let notice = try await client.nextReply()
                #expect(notice.type == "NOTICE", "\(notice)")
                await client.expectResponsive()
            }
        }
    }

    @Test func badSignatureIsRefused() async throws {
        try await withTestRelay { _, port async throws in
            try await withClient(port: port) { client async throws in
                let event = KeyPair.generate().event(.metadata)
                let otherSig = KeyPair.generate().event(.metadata).sig.hex
                let forged = event.jsonString.replacingOccurrences(of: event.sig.hex, with: otherSig)
                let ok = try await client.publish(rawEvent: forged, id: event.id.hex)
                #expect(!ok.accepted)
                #expect(ok.message == "invalid: signature is invalid")
                await client.expectResponsive()
                #expect(try await client.request("q", [Filter(ids: [event.id])]).isEmpty)
            }
        }
    }

    @Test func wrongIDIsRefused() async throws {
        try await withTestRelay { _, port async throws in
            try await withClient(port: port) { client async throws in
                let event = KeyPair.generate().event(.metadata, content: "original")
                let tampered = event.jsonString.replacingOccurrences(
                    of: #""content":"original""#, with: #""content":"tampered""#)
                #expect(tampered != event.jsonString)
                let ok = try await client.publish(rawEvent: tampered, id: event.id.hex)
                #expect(!ok.accepted)
                #expect(ok.message == "invalid: id is computed incorrectly")
                await client.expectResponsive()
            }
        }
    }

    @Test func nonHexPubkeyIsRefused() async throws {
        try await withTestRelay { _, port async throws in
            try await withClient(port: port) { client async throws in
                let event = KeyPair.generate().event(.metadata)
                let broken = event.jsonString.replacingOccurrences(
                    of: event.pubkey.hex, with: "zz" + String(event.pubkey.hex.dropFirst(2)))
                try await client.send(#"["EVENT","# + broken + "]")
                let reply = try await client.nextReply()
                let refused =
                    reply.type == "NOTICE"
                    || (reply.type == "OK" && reply.string(1) == event.id.hex && reply[2] == .bool(false))
                #expect(refused, "\(reply)")
                #expect(reply.string(reply.type == "NOTICE" ? 1 : 3)?.hasPrefix("invalid:") == true, "\(reply)")
                await client.expectResponsive()
            }
        }
    }
}
