// The WebSocket client side of `purplepages-bench relay`.
import ArgumentParser
import Dispatch
import Foundation
import HummingbirdWSClient
import Logging
import NostrCore
import NostrCoreTesting
import Synchronization

// MARK: - Connections

/// Opens and closes connections to one relay; every wait on them is bounded by `timeout`.
struct RelaySession: Sendable {
    let url: String
    let watchdog: Watchdog
    let timeout: Duration

    /// Opens `count` connections, at most 50 handshakes at a time.
    func connect(count: Int) async throws -> [RelayConnection] {
        try await withThrowingTaskGroup(of: (Int, RelayConnection).self) { group in
            var connections: [RelayConnection?] = Array(repeating: nil, count: count)
            var started = 0
            func startNext() {
                let index = started
                started += 1
                group.addTask { (index, try await RelayConnection.connect(session: self)) }
            }
            while started < min(50, count) { startNext() }
            do {
                while let (index, connection) = try await group.next() {
                    connections[index] = connection
                    if started < count { startNext() }
                }
            } catch {
                group.cancelAll()
                await close(connections.compactMap { $0 })
                throw error
            }
            return connections.compactMap { $0 }
        }
    }

    /// Closes `connections` concurrently.
    func close(_ connections: [RelayConnection]) async {
        await withTaskGroup(of: Void.self) { group in
            for connection in connections { group.addTask { await connection.close() } }
        }
    }
}

/// Thrown when the relay does not greet a new connection as expected.
struct RelayBenchmarkError: Error, CustomStringConvertible {
    let description: String
}

/// One message from the relay, parsed, with the moment it arrived.
struct RelayFrame: Sendable {
    let text: String
    let at: ContinuousClock.Instant
    /// The leading string elements (type, subscription id or event id), read from the prefix
    /// without parsing the rest: REQ results can be megabytes the benchmark never looks into.
    private let head: [String]

    init(_ text: String, at: ContinuousClock.Instant) {
        self.text = text
        self.at = at
        head = RelayFrame.leadingStrings(text, count: 2)
    }

    /// The whole message, parsed on demand.
    var json: JSONValue { (try? JSONValue.parse(text)) ?? .null }

    /// `"EVENT"`, `"OK"`, `"EOSE"`, ...
    var type: String? { head.first }
    /// Element `index` of the message array.
    subscript(index: Int) -> JSONValue? {
        guard let elements = json.arrayValue, elements.indices.contains(index) else { return nil }
        return elements[index]
    }
    /// Element `index` as a string.
    func string(_ index: Int) -> String? { index < head.count ? head[index] : self[index]?.stringValue }

    /// Up to `count` plain (escape-free) strings at the start of a JSON array; stops at anything else.
    static func leadingStrings(_ text: String, count: Int) -> [String] {
        var result: [String] = []
        var utf8 = Substring(text).utf8[...]
        guard utf8.first == UInt8(ascii: "[") else { return [] }
        utf8 = utf8.dropFirst()
        while result.count < count {
            while let byte = utf8.first, byte == UInt8(ascii: " ") || byte == UInt8(ascii: ",") {
                utf8 = utf8.dropFirst()
            }
            guard utf8.first == UInt8(ascii: "\"") else { break }
            utf8 = utf8.dropFirst()
            guard let close = utf8.firstIndex(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }),
                utf8[close] == UInt8(ascii: "\"")
            else { break }
            result.append(String(decoding: utf8[..<close], as: UTF8.self))
            utf8 = utf8[utf8.index(after: close)...]
        }
        return result
    }
}

/// A WebSocket connection to the relay whose incoming messages are queued in an `Inbox`.
final class RelayConnection: Sendable {
    private let outbound: WebSocketOutboundWriter
    private let inbox: Inbox
    private let connection: Task<WebSocketCloseFrame?, any Error>
    private let timeout: Duration

    private init(
        outbound: WebSocketOutboundWriter, inbox: Inbox, connection: Task<WebSocketCloseFrame?, any Error>,
        timeout: Duration
    ) {
        self.outbound = outbound
        self.inbox = inbox
        self.connection = connection
        self.timeout = timeout
    }

    /// Connects and consumes the relay's `["AUTH", challenge]` greeting.
    static func connect(session: RelaySession) async throws -> RelayConnection {
        let inbox = Inbox()
        session.watchdog.watch(inbox)
        let writer = Mutex<WebSocketOutboundWriter?>(nil)
        var logger = Logger(label: "purplepages-bench")
        logger.logLevel = .error
        let url = session.url
        let connection = Task {
            defer { inbox.finish() }
            return try await WebSocketClient.connect(
                url: url, configuration: .init(maxFrameSize: 1 << 20), logger: logger
            ) { inbound, outbound, _ in
                writer.withLock { $0 = outbound }
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    if case .text(let text) = message { inbox.push(RelayFrame(text, at: .now)) }
                }
            }
        }
        guard let greeting = await inbox.next(timeout: session.timeout), let outbound = writer.withLock({ $0 }) else {
            connection.cancel()
            let outcome = await connection.result
            throw RelayBenchmarkError(description: "no greeting from \(url) (connection: \(outcome))")
        }
        guard greeting.type == "AUTH" else {
            connection.cancel()
            throw RelayBenchmarkError(description: "the relay's first message is not AUTH: \(greeting.text)")
        }
        return RelayConnection(outbound: outbound, inbox: inbox, connection: connection, timeout: session.timeout)
    }

    /// Sends one text frame.
    func send(_ text: String) async throws {
        try await outbound.write(.text(text))
    }

    /// The next message, or nil once the connection has ended or after the session's timeout.
    func next() async -> RelayFrame? {
        await inbox.next(timeout: timeout)
    }

    /// Whether the connection has ended.
    var isClosed: Bool { inbox.isFinished }

    /// Closes the connection (close handshake), giving up after 5 s.
    func close() async {
        try? await outbound.close(.normalClosure, reason: nil)
        let connection = connection
        let giveUp = Task {
            try await Task.sleep(for: .seconds(5))
            connection.cancel()
        }
        _ = await connection.result
        giveUp.cancel()
        inbox.finish()
    }
}

/// Messages received and not yet taken, with at most one waiter whose wait has a deadline.
final class Inbox: Sendable {
    private struct State {
        var buffer: [RelayFrame] = []
        var head = 0
        var finished = false
        var waiter: CheckedContinuation<RelayFrame?, Never>?
        var deadline = ContinuousClock.Instant.now
    }

    private let state = Mutex(State())

    /// Queues `frame`, or hands it to the waiter.
    func push(_ frame: RelayFrame) {
        let waiter = state.withLock { state -> CheckedContinuation<RelayFrame?, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.buffer.append(frame)
            return nil
        }
        waiter?.resume(returning: frame)
    }

    /// Marks the end of the messages; a waiter gets nil.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<RelayFrame?, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    var isFinished: Bool { state.withLock { $0.finished } }

    /// Resumes the waiter with nil if its deadline has passed (called by the `Watchdog`).
    func expire(now: ContinuousClock.Instant) {
        let waiter = state.withLock { state -> CheckedContinuation<RelayFrame?, Never>? in
            guard state.waiter != nil, state.deadline <= now else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The oldest queued message, waiting up to `timeout` for one; nil on timeout or end.
    func next(timeout: Duration) async -> RelayFrame? {
        await withCheckedContinuation { continuation in
            let immediate = state.withLock { state -> RelayFrame?? in
                if state.head < state.buffer.count {
                    let frame = state.buffer[state.head]
                    state.head += 1
                    if state.head > 1024 && state.head * 2 > state.buffer.count {
                        state.buffer.removeFirst(state.head)
                        state.head = 0
                    }
                    return .some(frame)
                }
                if state.finished { return .some(nil) }
                state.waiter = continuation
                state.deadline = .now + timeout
                return .none
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }
}

/// Expires overdue waits of every watched inbox, ten times a second.
final class Watchdog: Sendable {
    private let inboxes = Mutex<[Inbox]>([])
    private let ticker = Mutex<Task<Void, Never>?>(nil)

    init() {
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                guard let self else { return }
                self.tick()
            }
        }
        ticker.withLock { $0 = task }
    }

    /// Starts watching `inbox`; it is dropped once finished.
    func watch(_ inbox: Inbox) {
        inboxes.withLock { $0.append(inbox) }
    }

    private func tick() {
        let now = ContinuousClock.Instant.now
        let current = inboxes.withLock { list -> [Inbox] in
            list.removeAll { $0.isFinished }
            return list
        }
        for inbox in current { inbox.expire(now: now) }
    }

    func stop() {
        ticker.withLock { $0?.cancel() }
    }
}
