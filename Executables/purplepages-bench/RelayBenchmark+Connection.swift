// The WebSocket client side of `purplepages-bench relay`: connections are the `RelayWebSocket`s
// the tests' `NostrTestClient` is built on.
import RelayClientCore

// MARK: - Connections

/// A connection to the relay, its messages queued as `RelayFrame`s with their arrival times. Waits
/// on it cost no timer of their own (`DeadlineTicker`), so 10,000 idle connections and
/// sub-millisecond REQ timings measure the relay, not the client.
typealias RelayConnection = RelayWebSocket

/// Opens and closes connections to one relay; every wait on them is bounded by `timeout`.
struct RelaySession: Sendable {
    let url: String
    let timeout: Duration

    /// Opens one connection (and consumes the relay's AUTH greeting).
    func connect() async throws -> RelayConnection {
        try await RelayConnection.connect(url: url, timeout: timeout, logLabel: "purplepages-bench")
    }

    /// Opens `count` connections, at most 50 handshakes at a time.
    func connect(count: Int) async throws -> [RelayConnection] {
        try await withThrowingTaskGroup(of: (Int, RelayConnection).self) { group in
            var connections: [RelayConnection?] = Array(repeating: nil, count: count)
            var started = 0
            func startNext() {
                let index = started
                started += 1
                group.addTask { (index, try await connect()) }
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

/// A benchmark that cannot go on, saying why.
struct RelayBenchmarkError: Error, CustomStringConvertible {
    let description: String
}
