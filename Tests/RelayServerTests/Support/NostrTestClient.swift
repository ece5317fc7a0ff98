import Foundation
import HummingbirdWSClient
import HummingbirdWSCompression
import Logging
import NIOCore
import NostrCore
import Synchronization
import Testing

/// One message from the relay: its text and its parsed JSON.
struct RelayReply: Sendable, CustomStringConvertible {
    let text: String
    let json: JSONValue

    init(_ text: String) {
        self.text = text
        do {
            json = try JSONValue.parse(text)
        } catch {
            Issue.record("the relay sent a message that is not JSON (\(error)): \(text)")
            json = .null
        }
    }

    /// `"EVENT"`, `"OK"`, `"EOSE"`, ...
    var type: String? { json.arrayValue?.first?.stringValue }
    /// Element `index` of the message array.
    subscript(index: Int) -> JSONValue? {
        guard let elements = json.arrayValue, elements.indices.contains(index) else { return nil }
        return elements[index]
    }
    /// Element `index` as a string.
    func string(_ index: Int) -> String? { self[index]?.stringValue }
    var description: String { text }
}

/// A Nostr client over a real WebSocket, for driving a relay from tests.
///
/// Messages the relay sends are queued; `next` takes the oldest, and the helpers (`publish`,
/// `request`, `count`, `authenticate`) take only the replies that belong to them, leaving anything
/// else (live events of other subscriptions, NOTICEs, AUTH challenges) queued for `next`. The
/// `["AUTH", challenge]` greeting is consumed by `connect` and kept in `challenge`. Every wait is
/// bounded and throws `TestFailure` on timeout.
final class NostrTestClient: Sendable {
    /// How long a wait lasts unless told otherwise.
    static let defaultTimeout: Duration = .seconds(5)

    let port: Int
    /// The NIP-42 challenge the relay greeted this connection with.
    let challenge: String
    private let outbound: WebSocketOutboundWriter
    private let inbox: WaitQueue<RelayReply>
    private let connection: Task<WebSocketCloseFrame?, any Error>
    private let counter = Atomic<Int>(0)

    private init(
        port: Int, challenge: String, outbound: WebSocketOutboundWriter, inbox: WaitQueue<RelayReply>,
        connection: Task<WebSocketCloseFrame?, any Error>
    ) {
        self.port = port
        self.challenge = challenge
        self.outbound = outbound
        self.inbox = inbox
        self.connection = connection
    }

    /// The relay URL a client would put in a NIP-42 `relay` tag.
    var relayURL: String { "ws://127.0.0.1:\(port)" }

    /// Connects to `ws://127.0.0.1:port/` (offering permessage-deflate when `deflate`) and waits for
    /// the relay's AUTH greeting.
    static func connect(
        port: Int, deflate: Bool = false, timeout: Duration = defaultTimeout
    ) async throws -> NostrTestClient {
        let inbox = WaitQueue<RelayReply>()
        let writer = Mutex<WebSocketOutboundWriter?>(nil)
        var logger = Logger(label: "test-client")
        logger.logLevel = .error
        let connection = Task {
            defer { inbox.finish() }
            return try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(port)/",
                configuration: .init(
                    maxFrameSize: 16 << 20,
                    extensions: deflate ? [.perMessageDeflate(maxDecompressedFrameSize: 16 << 20)] : []),
                logger: logger
            ) { inbound, outbound, _ in
                writer.withLock { $0 = outbound }
                for try await message in inbound.messages(maxSize: 16 << 20) {
                    switch message {
                    case .text(let text):
                        inbox.push(RelayReply(text))
                    case .binary(let buffer):
                        Issue.record("the relay sent a binary message of \(buffer.readableBytes) bytes")
                    }
                }
            }
        }
        guard let greeting = await inbox.take(timeout: timeout) else {
            connection.cancel()
            let outcome = await connection.result
            throw TestFailure("no greeting from the relay on port \(port) (connection: \(outcome))")
        }
        guard greeting.type == "AUTH", let challenge = greeting.string(1), !challenge.isEmpty,
            let outbound = writer.withLock({ $0 })
        else {
            connection.cancel()
            throw TestFailure("the relay's first message is not [\"AUTH\", challenge]: \(greeting)")
        }
        return NostrTestClient(
            port: port, challenge: challenge, outbound: outbound, inbox: inbox, connection: connection)
    }

    /// Closes the connection (close handshake) and waits for it to end.
    func close() async {
        try? await outbound.close(.normalClosure, reason: nil)
        if await !waitUntilClosed(timeout: .seconds(5)) {
            connection.cancel()
            _ = await connection.result
        }
    }

    /// Waits until the relay has closed the connection; returns false on timeout.
    func waitUntilClosed(timeout: Duration) async -> Bool {
        let done = WaitQueue<Bool>()
        let connection = connection
        Task {
            _ = await connection.result
            done.push(true)
        }
        return await done.take(timeout: timeout) != nil
    }

    /// Whether the connection has ended.
    var isClosed: Bool { inbox.isFinished }

    /// A fresh subscription id.
    func makeSubscriptionID(_ prefix: String = "sub") -> String {
        "\(prefix)-\(counter.add(1, ordering: .relaxed).newValue)"
    }

    // MARK: Sending

    /// Sends `json` as one text frame.
    func send(_ json: String) async throws {
        try await outbound.write(.text(json))
    }

    /// Sends bytes as one binary frame.
    func sendBinary(_ bytes: [UInt8]) async throws {
        try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
    }

    /// Sends `["EVENT", event]` with the event's raw JSON.
    func send(event: Event) async throws {
        try await send(#"["EVENT","# + event.jsonString + "]")
    }

    /// Sends `["REQ", id, filters...]`.
    func send(request id: String, _ filters: [Filter]) async throws {
        try await send(Self.message("REQ", id, filters.map(\.jsonString)))
    }

    /// Sends `["CLOSE", id]`.
    func send(close id: String) async throws {
        try await send(#"["CLOSE","# + Self.quoted(id) + "]")
    }

    static func quoted(_ text: String) -> String {
        var output: [UInt8] = []
        JSONWriter.appendString(text, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    static func message(_ type: String, _ id: String, _ filters: [String]) -> String {
        "[" + ([quoted(type), quoted(id)] + filters).joined(separator: ",") + "]"
    }

    // MARK: Receiving

    /// The next message from the relay, parsed.
    func next(timeout: Duration = defaultTimeout) async throws -> JSONValue {
        try await nextReply(timeout: timeout).json
    }

    /// The next message from the relay.
    func nextReply(timeout: Duration = defaultTimeout) async throws -> RelayReply {
        try await take("any message", timeout: timeout) { _ in true }
    }

    /// The first message (queued or to come) that `predicate` accepts; others stay queued.
    func take(
        _ what: String, timeout: Duration = defaultTimeout, where predicate: @escaping @Sendable (RelayReply) -> Bool
    ) async throws -> RelayReply {
        guard let reply = await inbox.take(timeout: timeout, where: predicate) else {
            let state = inbox.isFinished ? "the connection closed" : "timed out after \(timeout)"
            throw TestFailure("waiting for \(what): \(state); queued: \(inbox.pending.map(\.text))")
        }
        return reply
    }

    /// Messages received and not yet taken.
    var pending: [RelayReply] { inbox.pending }

    /// Checks that nothing arrives for `duration`.
    func expectNoMessage(for duration: Duration, sourceLocation: SourceLocation = #_sourceLocation) async {
        if let reply = await inbox.take(timeout: duration) {
            Issue.record("unexpected message from the relay: \(reply)", sourceLocation: sourceLocation)
        }
    }

    // MARK: Exchanges

    /// Sends an EVENT and waits for its OK.
    func publish(_ event: Event, timeout: Duration = defaultTimeout) async throws -> (accepted: Bool, message: String) {
        try await publish(rawEvent: event.jsonString, id: event.id.hex, timeout: timeout)
    }

    /// Sends `["EVENT", rawEvent]` and waits for the OK naming `id`.
    func publish(
        rawEvent: String, id: String, timeout: Duration = defaultTimeout
    ) async throws -> (
        accepted: Bool, message: String
    ) {
        try await send(#"["EVENT","# + rawEvent + "]")
        return try await ok(for: id, timeout: timeout)
    }

    /// Waits for the OK naming `id`.
    func ok(for id: String, timeout: Duration = defaultTimeout) async throws -> (accepted: Bool, message: String) {
        let reply = try await take("OK for \(id)", timeout: timeout) { $0.type == "OK" && $0.string(1) == id }
        guard case .bool(let accepted) = reply[2], let message = reply.string(3), reply.json.arrayValue?.count == 4
        else {
            throw TestFailure("malformed OK: \(reply)")
        }
        return (accepted, message)
    }

    /// Sends a REQ and collects the stored events up to EOSE, as raw JSON text exactly as sent.
    func requestRaw(_ id: String, _ filters: [Filter], timeout: Duration = defaultTimeout) async throws -> [String] {
        try await requestRaw(id, rawFilters: filters.map(\.jsonString), timeout: timeout)
    }

    /// Sends a REQ with filters given as JSON text and collects the stored events up to EOSE.
    func requestRaw(_ id: String, rawFilters: [String], timeout: Duration = defaultTimeout) async throws -> [String] {
        try await send(Self.message("REQ", id, rawFilters))
        return try await storedEvents(id, timeout: timeout)
    }

    /// Collects the EVENTs of subscription `id` until its EOSE; throws on CLOSED.
    func storedEvents(_ id: String, timeout: Duration = defaultTimeout) async throws -> [String] {
        var events: [String] = []
        while true {
            let reply = try await take("EVENT/EOSE of \(id)", timeout: timeout) { reply in
                ["EVENT", "EOSE", "CLOSED"].contains(reply.type) && reply.string(1) == id
            }
            switch reply.type {
            case "EVENT": events.append(try Self.eventJSON(of: reply))
            case "EOSE": return events
            default: throw TestFailure("subscription \(id) was closed: \(reply)")
            }
        }
    }

    /// Sends a REQ and returns the stored events up to EOSE.
    func request(_ id: String, _ filters: [Filter], timeout: Duration = defaultTimeout) async throws -> [Event] {
        try await requestRaw(id, filters, timeout: timeout).map { try Event(json: $0) }
    }

    /// Sends a REQ with filters given as JSON text and returns the stored events up to EOSE.
    func request(_ id: String, rawFilters: [String], timeout: Duration = defaultTimeout) async throws -> [Event] {
        try await requestRaw(id, rawFilters: rawFilters, timeout: timeout).map { try Event(json: $0) }
    }

    /// Waits for a live EVENT of subscription `id` and returns the event's raw JSON.
    func liveEvent(_ id: String, timeout: Duration = defaultTimeout) async throws -> String {
        let reply = try await take("live EVENT of \(id)", timeout: timeout) {
            $0.type == "EVENT" && $0.string(1) == id
        }
        return try Self.eventJSON(of: reply)
    }

    /// The raw JSON of the event in `["EVENT", id, event]`, cut from the message text.
    static func eventJSON(of reply: RelayReply) throws -> String {
        guard let id = reply.string(1), reply.json.arrayValue?.count == 3 else {
            throw TestFailure("malformed EVENT: \(reply)")
        }
        let prefix = #"["EVENT","# + quoted(id) + ","
        guard reply.text.hasPrefix(prefix), reply.text.hasSuffix("]") else {
            throw TestFailure("EVENT is not compact: \(reply)")
        }
        return String(reply.text.dropFirst(prefix.count).dropLast())
    }

    /// Sends a COUNT and returns the count; throws on CLOSED.
    func count(_ id: String, _ filters: [Filter], timeout: Duration = defaultTimeout) async throws -> Int {
        try await count(id, rawFilters: filters.map(\.jsonString), timeout: timeout)
    }

    /// Sends a COUNT with filters given as JSON text.
    func count(_ id: String, rawFilters: [String], timeout: Duration = defaultTimeout) async throws -> Int {
        try await send(Self.message("COUNT", id, rawFilters))
        let reply = try await take("COUNT of \(id)", timeout: timeout) {
            ["COUNT", "CLOSED"].contains($0.type) && $0.string(1) == id
        }
        guard reply.type == "COUNT", let count = reply[2]?["count"]?.int64Value else {
            throw TestFailure("COUNT \(id) failed: \(reply)")
        }
        return Int(count)
    }

    /// Answers the greeting's challenge as `keyPair` (NIP-42) and returns the OK.
    func authenticate(
        as keyPair: KeyPair, challenge: String? = nil, relayURL: String? = nil, timeout: Duration = defaultTimeout
    ) async throws -> (accepted: Bool, message: String) {
        let event = RelayAuthentication.makeEvent(
            challenge: challenge ?? self.challenge, relayURL: relayURL ?? self.relayURL, keyPair: keyPair,
            createdAt: unixNow)
        try await send(#"["AUTH","# + event.jsonString + "]")
        return try await ok(for: event.id.hex, timeout: timeout)
    }

    /// Checks the connection still works: a REQ for nothing gets its EOSE.
    func expectResponsive(sourceLocation: SourceLocation = #_sourceLocation) async {
        do {
            let events = try await requestRaw(makeSubscriptionID("alive"), rawFilters: [#"{"ids":[]}"#])
            #expect(events.isEmpty, sourceLocation: sourceLocation)
        } catch {
            Issue.record("the connection no longer answers a REQ: \(error)", sourceLocation: sourceLocation)
        }
    }
}

/// Runs `body` with `count` connected clients, closing them afterwards.
func withClients<T: Sendable>(
    port: Int, count: Int = 1, _ body: ([NostrTestClient]) async throws -> T
) async throws -> T {
    var clients: [NostrTestClient] = []
    let result: Result<T, any Error>
    do {
        for _ in 0..<count { clients.append(try await NostrTestClient.connect(port: port)) }
        result = .success(try await body(clients))
    } catch {
        result = .failure(error)
    }
    for client in clients { await client.close() }
    return try result.get()
}

/// Runs `body` with one connected client, closing it afterwards.
func withClient<T: Sendable>(port: Int, _ body: (NostrTestClient) async throws -> T) async throws -> T {
    try await withClients(port: port, count: 1) { try await body($0[0]) }
}
