import PurplePagesTestSupport
import Testing

/// RFC 6455 8.1: a text message that is not valid UTF-8 fails the connection with close code 1007,
/// before the relay reads it as a Nostr message (repaired, it would be another message). Validity is
/// a property of the whole message, so a character split between fragments is fine.
@Suite("UTF-8 in WebSocket text frames")
struct RelayUTF8Tests {
    /// `["REQ","<prefix><bytes><suffix>",{"kinds":[0]}]` as bytes.
    static func request(_ id: [UInt8]) -> [UInt8] {
        Array(#"["REQ",""#.utf8) + id + Array(#"",{"kinds":[0]}]"#.utf8)
    }

    /// Reads frames after the AUTH greeting until the close frame and checks that it carries 1007
    /// and that no EOSE (or anything else) came first.
    static func expectClosedWith1007(_ socket: RawWebSocket, sourceLocation: SourceLocation = #_sourceLocation) async {
        let frames = await socket.framesUntilClose()
        #expect(frames.last?.closeCode == 1007, "frames: \(frames.map(\.text))", sourceLocation: sourceLocation)
        #expect(
            frames.count == 1, "nothing before the close frame: \(frames.map(\.text))", sourceLocation: sourceLocation)
    }

    @Test(
        arguments: [
            [0xC3, 0x28],  // a lead byte followed by ASCII
            [0xFF],  // never in UTF-8
            [0xED, 0xA0, 0x80],  // an encoded surrogate (U+D800)
            [0xC0, 0xAF],  // an overlong "/"
            [0xE2, 0x82],  // a truncated three-byte character
        ] as [[UInt8]])
    func invalidUTF8InATextFrameClosesWith1007(bytes: [UInt8]) async throws {
        try await withTestRelay { _, port async throws in
            let socket = try await RawWebSocket.connect(port: port)
            #expect(await socket.readFrame()?.text.hasPrefix(#"["AUTH""#) == true)
            try socket.send(opcode: RawWebSocket.text, Self.request(Array("sub".utf8) + bytes))
            await Self.expectClosedWith1007(socket)
            try await waitUntilOpenConnections(0, port: port)
        }
    }

    @Test func aCharacterSplitBetweenFragmentsIsValid() async throws {
        try await withTestRelay { _, port async throws in
            let socket = try await RawWebSocket.connect(port: port)
            #expect(await socket.readFrame()?.text.hasPrefix(#"["AUTH""#) == true)
            // "é" is C3 A9: the first fragment ends inside it.
            let message = Self.request(Array("caf\u{E9}".utf8))
            let split = message.firstIndex(of: 0xC3)! + 1
            try socket.send(opcode: RawWebSocket.text, fin: false, Array(message[..<split]))
            try socket.send(opcode: RawWebSocket.continuation, Array(message[split...]))
            let reply = await socket.readFrame()
            #expect(reply?.text == #"["EOSE","caf\#u{E9}"]"#, "\(reply?.text ?? "nothing")")
        }
    }

    @Test func invalidUTF8InAFragmentedMessageClosesWith1007() async throws {
        try await withTestRelay { _, port async throws in
            let socket = try await RawWebSocket.connect(port: port)
            #expect(await socket.readFrame()?.text.hasPrefix(#"["AUTH""#) == true)
            // Each fragment alone could start or end a character; together C3 28 is not one.
            let message = Self.request(Array("sub".utf8) + [0xC3, 0x28])
            let split = message.firstIndex(of: 0xC3)! + 1
            try socket.send(opcode: RawWebSocket.text, fin: false, Array(message[..<split]))
            try socket.send(opcode: RawWebSocket.continuation, Array(message[split...]))
            await Self.expectClosedWith1007(socket)
            try await waitUntilOpenConnections(0, port: port)
        }
    }

    /// A valid message before the bad one is answered in full before the close.
    @Test func repliesQueuedBeforeTheBadMessageAreSent() async throws {
        try await withTestRelay { _, port async throws in
            let socket = try await RawWebSocket.connect(port: port)
            #expect(await socket.readFrame()?.text.hasPrefix(#"["AUTH""#) == true)
            try socket.send(opcode: RawWebSocket.text, Self.request(Array("good".utf8)))
            try socket.send(opcode: RawWebSocket.text, Self.request(Array("bad".utf8) + [0xFF]))
            let frames = await socket.framesUntilClose()
            #expect(frames.map(\.opcode) == [RawWebSocket.text, RawWebSocket.close], "\(frames.map(\.text))")
            #expect(frames.first?.text == #"["EOSE","good"]"#)
            #expect(frames.last?.closeCode == 1007)
        }
    }
}
