import Logging
import NostrClient
import NostrCore
import PurplePagesTestSupport
import Testing

/// How long a test waits for anything that should come; never reached when all is well.
let patience: Duration = .seconds(10)

/// Connects to `ws://127.0.0.1:<port>` with `configure`'s adjustments, runs `body`, then closes.
func withRelayClient<T: Sendable>(
    port: Int, scheme: String = "ws", host: String = "127.0.0.1",
    configure: (inout RelayClientConfiguration) -> Void = { _ in },
    _ body: (RelayClient) async throws -> T
) async throws -> T {
    var configuration = RelayClientConfiguration()
    configure(&configuration)
    var logger = Logger(label: "nostr-client-test")
    logger.logLevel = .critical
    let client = try await RelayClient.connect(
        to: "\(scheme)://\(host):\(port)", configuration: configuration, logger: logger)
    let result: Result<T, any Error>
    do {
        result = .success(try await body(client))
    } catch {
        result = .failure(error)
    }
    await client.close()
    return try result.get()
}

extension RelayClient {
    /// Responses up to and including the first that `last` accepts.
    func responses(until last: (RelayResponse) -> Bool) async throws -> [RelayResponse] {
        var responses: [RelayResponse] = []
        while true {
            let response = try await receive(timeout: patience)
            responses.append(response)
            if last(response) { return responses }
        }
    }

    /// The first response that `match` accepts, skipping others.
    func first(where match: (RelayResponse) -> Bool) async throws -> RelayResponse {
        try await responses(until: match).last!
    }

    /// Publishes `event` and returns the relay's OK for it.
    func publish(_ event: Event) async throws -> (accepted: Bool, message: String) {
        try await send(.event(event))
        let ok = try await first {
            if case .ok(let id, _, _) = $0 { return id == event.id }
            return false
        }
        guard case .ok(_, let accepted, let message) = ok else { throw TestFailure("unreachable") }
        return (accepted, message)
    }

    /// The error the connection ends with, once every queued response is read.
    func closingError() async -> RelayClientError? {
        while true {
            do {
                _ = try await receive(timeout: patience)
            } catch let error as RelayClientError {
                if case .timedOut = error { return error }
                return error
            } catch {
                return nil
            }
        }
    }
}

/// The text of `error` when it is `.closed`, else nil.
func closedReason(_ error: RelayClientError?) -> String? {
    if case .closed(let reason) = error { return reason }
    return nil
}
