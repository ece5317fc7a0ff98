import Foundation
import NostrClient
import NostrCore
import PurplePagesTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Connecting and waiting: bad URLs, refused and silent ports, timeouts, closing.
@Suite("RelayClient: connecting, timeouts, closing")
struct RelayClientConnectionTests {
    @Test(arguments: ["http://127.0.0.1:1", "127.0.0.1:7777", "ws://", "wss://:443", "ws://host:0", "ws://host:99999"])
    func anInvalidURLIsRefusedBeforeConnecting(_ url: String) async throws {
        await #expect {
            try await RelayClient.connect(to: url)
        } throws: { error in
            guard case .invalidURL(let text) = error as? RelayClientError else { return false }
            return text.contains(url)
        }
    }

    @Test func aRefusedPortIsAConnectionFailure() async throws {
        let port = try freePort()
        await #expect {
            try await RelayClient.connect(to: "ws://127.0.0.1:\(port)")
        } throws: { error in
            guard case .connectionFailed(let text) = error as? RelayClientError else { return false }
            return text.contains("\(port)") && text.lowercased().contains("refused")
        }
    }

    @Test func aServerThatAcceptsAndStaysSilentTimesOutAndItsSocketIsClosed() async throws {
        let listener = try SilentListener()
        var configuration = RelayClientConfiguration()
        configuration.connectTimeout = .milliseconds(300)
        await #expect {
            try await RelayClient.connect(to: "ws://127.0.0.1:\(listener.port)", configuration: configuration)
        } throws: { error in
            guard case .timedOut = error as? RelayClientError else { return false }
            return true
        }
        // The client gave up on the socket: the server sees it closed, not left half-open.
        #expect(await listener.acceptedConnectionEnds(within: patience))
    }

    @Test func cancellingAConnectEndsItAndClosesTheSocket() async throws {
        let listener = try SilentListener()
        let connecting = Task {
            try await RelayClient.connect(to: "ws://127.0.0.1:\(listener.port)")
        }
        let ended = Task { await listener.acceptedConnectionEnds(within: patience) }
        try await Task.sleep(for: .milliseconds(100))
        connecting.cancel()
        await #expect(throws: CancellationError.self) { try await connecting.value }
        #expect(await ended.value)
    }

    @Test func aReceiveWithNothingToReceiveTimesOut() async throws {
        try await withTestRelay { _, port async throws in
            try await withRelayClient(port: port) { client async throws in
                _ = try await client.receive(timeout: patience)  // the AUTH greeting
                await #expect(throws: RelayClientError.self) {
                    _ = try await client.receive(timeout: .milliseconds(100))
                }
                // The connection is still fine.
                #expect(try await client.publish(KeyPair.generate().event(.metadata, content: "{}")).accepted)
            }
        }
    }

    @Test func closingIsIdempotentAndSendingAfterwardsFails() async throws {
        try await withTestRelay { _, port async throws in
            let client = try await RelayClient.connect(to: "ws://127.0.0.1:\(port)")
            await client.close()
            await client.close()
            #expect(closedReason(await client.closingError()) == "closed by the client")
            await #expect {
                try await client.send(.close(subscriptionID: "x"))
            } throws: { error in
                error as? RelayClientError == .closed("closed by the client")
            }
        }
    }

    /// The relay answers the upgrade, sends a NOTICE and a close frame and shuts its side at once;
    /// often all of it arrives in the read that holds the 101 answer (see `UpgradeGate`), so many
    /// connections at once make sure that case is among them.
    @Test func aRelayThatEndsTheConnectionIsReportedAfterItsLastMessage() async throws {
        try await withWebSocketServer(script: { connection in
            try await connection.send(#"["NOTICE","bye"]"#)
        }) { port in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        try await withRelayClient(port: port) { client async throws in
                            #expect(try await client.receive(timeout: patience) == .notice("bye"))
                            let reason = closedReason(await client.closingError())
                            #expect(reason?.contains("the relay closed the connection") == true, "\(reason ?? "nil")")
                            #expect(client.closeReason == reason)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test func aRelayThatSaysNothingAndAnswersNoPingIsDroppedAfterTheIdleTimeout() async throws {
        try await withWebSocketServer(script: { _ in
            // Never reads, so never answers a ping.
            try await Task.sleep(for: .seconds(60))
        }) { port in
            try await withRelayClient(
                port: port,
                configure: {
                    $0.idleTimeout = .milliseconds(500)
                    $0.pingInterval = .milliseconds(100)
                }
            ) { client async throws in
                let reason = closedReason(await client.closingError())
                #expect(reason?.contains("idle timeout") == true, "\(reason ?? "nil")")
            }
        }
    }

    @Test func aQuietRelayThatAnswersPingsIsKept() async throws {
        try await withWebSocketServer(script: { connection in
            // Reads (and so answers pings) but sends nothing until the client speaks.
            for try await frame in connection.inbound where frame.opcode == .text {
                try await connection.send(#"["NOTICE","still here"]"#)
            }
        }) { port in
            try await withRelayClient(
                port: port,
                configure: {
                    $0.idleTimeout = .seconds(1)
                    $0.pingInterval = .milliseconds(100)
                }
            ) { client async throws in
                // Idle timeouts pass without a message; pongs, ten a timeout, keep the connection.
                await #expect(throws: RelayClientError.self) { _ = try await client.receive(timeout: .seconds(3)) }
                try await client.send(.close(subscriptionID: "x"))
                #expect(try await client.receive(timeout: patience) == .notice("still here"))
            }
        }
    }
}

/// A TCP listener on 127.0.0.1 that accepts one connection and never writes to it: the relay that
/// hangs after accepting. Blocking calls run on a thread of their own, off the concurrency pool.
final class SilentListener: @unchecked Sendable {
    let port: Int
    private let socket: Int32

    init() throws {
        let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestFailure("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0, listen(descriptor, 4) == 0 else {
            Glibc.close(descriptor)
            throw TestFailure("bind/listen failed: errno \(errno)")
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        socket = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { Glibc.close(socket) }

    /// Whether the first accepted connection is closed by its client within `timeout` (the
    /// listener reads it, so it sees the end; the client sends at most its upgrade request).
    func acceptedConnectionEnds(within timeout: Duration) async -> Bool {
        let socket = socket
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let connection = accept(socket, nil, nil)
                guard connection >= 0 else { return continuation.resume(returning: false) }
                defer { Glibc.close(connection) }
                var limit = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
                setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let count = recv(connection, &buffer, buffer.count, 0)
                    if count == 0 { return continuation.resume(returning: true) }  // the client closed
                    if count < 0 { return continuation.resume(returning: false) }  // timeout or error
                }
            }
        }
    }
}
