import NostrClient
import NostrCore
import PurplePagesTestSupport
import Synchronization
import Testing

@testable import NostrClient

/// What a hostile or broken relay sends: forged events, junk, floods, huge messages.
@Suite("RelayClient: relays that misbehave")
struct RelayClientDefenceTests {
    @Test func forgedAndUnparsableEventsArriveAsInvalidEventsNeverAsEvents() async throws {
        let author = KeyPair.generate()
        let genuine = author.event(.metadata, content: #"{"name":"real"}"#)
        let otherSignature = author.event(.metadata, content: #"{"name":"other"}"#).sig.hex
        let forgedSignature = genuine.jsonString.replacingOccurrences(of: genuine.sig.hex, with: otherSignature)
        let forgedContent = genuine.jsonString.replacingOccurrences(of: "real", with: "fake")
        let script: @Sendable (ServerConnection) async throws -> Void = { connection in
            for event in [forgedSignature, forgedContent, #"{"id":"nope"}"#, genuine.jsonString] {
                try await connection.send(#"["EVENT","s","# + event + "]")
            }
            try await connection.send(#"["EOSE","s"]"#)
            try await connection.stayOpen()
        }
        try await withWebSocketServer(script: script) { port in
            try await withRelayClient(port: port) { client async throws in
                let responses = try await client.responses { $0 == .endOfStoredEvents(subscriptionID: "s") }
                #expect(responses.count == 5)
                guard responses.count == 5 else { return }
                #expect(responses[0] == .invalidEvent(subscriptionID: "s", reason: .invalid("signature is invalid")))
                #expect(
                    responses[1] == .invalidEvent(subscriptionID: "s", reason: .invalid("id is computed incorrectly")))
                if case .invalidEvent("s", let reason) = responses[2] {
                    #expect(reason.prefix == .invalid)
                } else {
                    Issue.record("an unparsable event came as \(responses[2])")
                }
                #expect(responses[3] == .event(subscriptionID: "s", event: genuine))
                #expect(client.statistics.invalidEvents == 3)
                #expect(client.statistics.messagesReceived == 5)
            }
        }
    }

    @Test func theEventCheckRefusesEventsAfterTheSignatureCheck() async throws {
        let note = KeyPair.generate().event(1, content: "not a profile")
        let profile = KeyPair.generate().event(.metadata, content: "{}")
        try await withWebSocketServer(script: { connection in
            try await connection.send(#"["EVENT","s","# + note.jsonString + "]")
            try await connection.send(#"["EVENT","s","# + profile.jsonString + "]")
            try await connection.stayOpen()
        }) { port in
            try await withRelayClient(
                port: port,
                configure: { $0.eventCheck = { $0.kind == .metadata ? nil : .blocked("kind \($0.kind) not wanted") } }
            ) { client async throws in
                #expect(
                    try await client.receive(timeout: patience)
                        == .invalidEvent(subscriptionID: "s", reason: .blocked("kind 1 not wanted")))
                #expect(try await client.receive(timeout: patience) == .event(subscriptionID: "s", event: profile))
                #expect(client.statistics.invalidEvents == 1)
            }
        }
    }

    @Test func malformedMessagesAreReportedAndTheConnectionLives() async throws {
        try await withWebSocketServer(script: { connection in
            try await connection.send("not json")
            try await connection.send(#"["WHAT","x"]"#)
            try await connection.send(#"["OK","abc",true,""]"#)
            try await connection.outbound.write(.binary(.init(bytes: [1, 2, 3])))
            try await connection.send(String(repeating: "x", count: 1000))
            try await connection.send(#"["NOTICE","still fine"]"#)
            try await connection.stayOpen()
        }) { port in
            try await withRelayClient(port: port) { client async throws in
                let responses = try await client.responses { $0 == .notice("still fine") }
                #expect(responses.count == 6)
                for response in responses.dropLast() {
                    guard case .malformed(let text) = response else {
                        Issue.record("not reported as malformed: \(response)")
                        continue
                    }
                    #expect(text.utf8.count < RelayResponse.displayLength + 100)
                }
                if case .malformed(let text) = responses[1] { #expect(text.contains("WHAT")) }
                if case .malformed(let text) = responses[3] { #expect(text.contains("binary")) }
            }
        }
    }

    @Test func aFloodNeverGrowsTheInboxPastItsBound() async throws {
        let total = 100_000
        let sent = Atomic<Int>(0)
        let notice = #"["NOTICE",""# + String(repeating: "f", count: 500) + #""]"#
        try await withWebSocketServer(script: { connection in
            for _ in 0..<total {
                try await connection.send(notice)
                sent.add(1, ordering: .relaxed)
            }
            try await connection.stayOpen()
        }) { port in
            try await withRelayClient(
                port: port,
                configure: {
                    $0.inboxMessages = 64
                    $0.compression = false
                }
            ) { client async throws in
                // Not reading: the inbox fills, then the socket is not read and the relay is held up.
                let deadline = ContinuousClock.now + patience
                while client.inboxCount < 64 && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(client.inboxCount == 64)
                try await Task.sleep(for: .milliseconds(300))
                #expect(client.inboxHighWater == 64)
                #expect(sent.load(ordering: .relaxed) < total, "50 MB went through a client that did not read")
                // Reading it all: the bound holds throughout.
                var received = 0
                while received < total {
                    guard case .notice = try await client.receive(timeout: patience) else { break }
                    received += 1
                }
                #expect(received == total)
                #expect(client.inboxHighWater <= 64)
                #expect(client.statistics.messagesReceived == total)
                #expect(client.statistics.bytesReceived == total * notice.utf8.count)
            }
        }
    }

    @Test func largeMessagesAreBoundedByBytesToo() async throws {
        let notice = #"["NOTICE",""# + String(repeating: "b", count: 100_000) + #""]"#
        try await withWebSocketServer(script: { connection in
            for _ in 0..<100 { try await connection.send(notice) }
            try await connection.stayOpen()
        }) { port in
            try await withRelayClient(
                port: port,
                configure: {
                    $0.inboxBytes = 1 << 20
                    $0.compression = false
                }
            ) { client async throws in
                let deadline = ContinuousClock.now + patience
                while client.inboxHighWaterBytes + notice.utf8.count <= 1 << 20 && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                for _ in 0..<100 { _ = try await client.receive(timeout: patience) }
                #expect(client.inboxHighWaterBytes <= 1 << 20)
                #expect(client.inboxHighWater == (1 << 20) / notice.utf8.count)
            }
        }
    }

    @Test(arguments: [false, true])
    func aMessageOverTheLimitClosesTheConnection(fragmented: Bool) async throws {
        let limit = 64 << 10
        let huge = #"["NOTICE",""# + String(repeating: "h", count: limit) + #""]"#
        try await withWebSocketServer(
            TestServerOptions(maxFrameSize: 16 << 10),
            script: { connection in
                try await connection.send(#"["NOTICE","small"]"#)
                if fragmented {
                    try await connection.sendFragmented(huge)
                } else {
                    try await connection.send(huge)
                }
                try await connection.stayOpen()
            }
        ) { port in
            try await withRelayClient(port: port, configure: { $0.maxMessageBytes = limit }) { client async throws in
                #expect(try await client.receive(timeout: patience) == .notice("small"))
                let reason = closedReason(await client.closingError())
                #expect(reason?.contains("over \(limit) bytes") == true, "\(reason ?? "nil")")
            }
        }
    }

    @Test func aCompressedMessageOverTheLimitClosesTheConnection() async throws {
        let limit = 64 << 10
        // Compresses to almost nothing: the limit applies to what it inflates to.
        let bomb = #"["NOTICE",""# + String(repeating: "z", count: 4 * limit) + #""]"#
        try await withWebSocketServer(
            TestServerOptions(compression: true),
            script: { connection in
                try await connection.send(bomb)
                try await connection.stayOpen()
            }
        ) { port in
            try await withRelayClient(port: port, configure: { $0.maxMessageBytes = limit }) { client async throws in
                #expect(client.isCompressed)
                let reason = closedReason(await client.closingError())
                #expect(reason?.contains("inflated over \(limit) bytes") == true, "\(reason ?? "nil")")
                #expect(client.statistics.bytesReceived < limit)
            }
        }
    }
}
