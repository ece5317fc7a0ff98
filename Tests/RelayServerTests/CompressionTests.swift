import Foundation
import NostrCore
import NostrCoreTesting
import PurplePagesTestSupport
import Testing

@Suite("permessage-deflate")
struct CompressionTests {
    @Test func deflateIsNegotiatedOnlyWhenOffered() async throws {
        try await withTestRelay { _, port async throws in
            let offered = try await RawWebSocket.connect(
                port: port, extensions: "permessage-deflate; client_max_window_bits")
            #expect(offered.upgradeAnswer.lowercased().contains("sec-websocket-extensions: permessage-deflate"))
            let plain = try await RawWebSocket.connect(port: port)
            #expect(!plain.upgradeAnswer.lowercased().contains("sec-websocket-extensions"))
            offered.close()
            plain.close()
            try await waitUntilOpenConnections(0, port: port)
        }
    }

    /// Large events (compressed frames) and small answers (sent as they are) through a client
    /// that negotiated deflate, in both directions, byte for byte.
    @Test func compressedConnectionsPublishAndQuery() async throws {
        try await withTestRelay { _, port async throws in
            let compressed = try await NostrTestClient.connect(port: port, deflate: true)
            let pair = KeyPair.generate()
            let content = String(repeating: "a compressible profile ", count: 4000)
            let event = pair.sign(kind: .metadata, content: content, createdAt: Int64(Date().timeIntervalSince1970))
            #expect(try await compressed.publish(event).accepted)
            let stored = try await compressed.requestRaw("mine", [Filter(authors: [pair.publicKey])])
            #expect(stored == [String(decoding: event.rawJSON, as: UTF8.self)])
            // A plain client reads the same bytes.
            try await withClient(port: port) { plain async throws in
                #expect(try await plain.requestRaw("same", [Filter(authors: [pair.publicKey])]) == stored)
            }
            await compressed.close()
        }
    }
}
