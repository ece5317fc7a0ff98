import Foundation
import HummingbirdWSClient
import NIOCore
import NIOWebSocket
import NostrCore

/// The frame loop's handler: assembles the relay's messages, decodes and checks them, answers
/// AUTH challenges when it has a key, and queues every message in the inbox, waiting there while
/// it is full (which is what stops the socket being read).
struct ConnectionReader: Sendable {
    let state: ConnectionState
    let inbox: Inbox
    let decoder: ResponseDecoder
    let maxMessageBytes: Int
    let authenticationKey: KeyPair?

    /// Runs until the relay closes, the connection fails, or the inbox is discarded (the client
    /// closed); a message over the limit or a broken fragment sequence closes the connection.
    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        guard state.didConnect(outbound) else { return }
        var frames = inbound.makeAsyncIterator()
        var partial: ByteBuffer?
        var partialIsText = true
        while let frame = try await frames.next() {
            var message: ByteBuffer
            let isText: Bool
            switch frame.opcode {
            case .text, .binary:
                guard partial == nil else {
                    return try await fail(.protocolError, "a new message inside a fragmented one", outbound)
                }
                guard frame.fin else {
                    partial = frame.data
                    partialIsText = frame.opcode == .text
                    continue
                }
                message = frame.data
                isText = frame.opcode == .text
            case .continuation:
                guard var assembled = partial else {
                    return try await fail(.protocolError, "a continuation frame without a message", outbound)
                }
                partial = nil
                guard assembled.readableBytes + frame.data.readableBytes <= maxMessageBytes else {
                    state.record(.messageTooLarge(limit: maxMessageBytes))
                    return try await fail(.messageTooLarge, "message too large", outbound)
                }
                var data = frame.data
                assembled.writeBuffer(&data)
                guard frame.fin else {
                    partial = assembled
                    continue
                }
                message = assembled
                isText = partialIsText
            }
            state.statistics.messagesReceived.add(1)
            let response =
                isText
                ? message.withUnsafeReadableBytes { decoder.decode($0) }
                : .malformed("a binary message of \(message.readableBytes) bytes (relays send text)")
            if response.isInvalidEvent { state.statistics.invalidEvents.add(1) }
            if case .auth(let challenge) = response, let authenticationKey {
                await answer(challenge: challenge, with: authenticationKey, outbound)
            }
            guard await inbox.push(response, size: message.readableBytes) else { return }
        }
    }

    /// Signs and sends the NIP-42 answer to `challenge` for this relay's URL. A failed write means
    /// the connection is ending, which the frame loop reports.
    private func answer(challenge: String, with key: KeyPair, _ outbound: WebSocketOutboundWriter) async {
        let event = RelayAuthentication.makeEvent(
            challenge: challenge, relayURL: state.url.text, keyPair: key,
            createdAt: Int64(Date().timeIntervalSince1970))
        do {
            try await outbound.write(.custom(.text(ClientMessage.auth(event).encoded)))
            state.statistics.messagesSent.add(1)
        } catch {
            return
        }
    }

    /// Closes the connection with `code` (the watchdog notes it as the cause).
    private func fail(_ code: WebSocketErrorCode, _ reason: String, _ outbound: WebSocketOutboundWriter) async throws {
        try await outbound.close(code, reason: reason)
    }
}

extension WebSocketFrame {
    /// A final text frame holding `bytes` (masked by the frame loop when sent).
    static func text(_ bytes: [UInt8]) -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(bytes: bytes))
    }
}
