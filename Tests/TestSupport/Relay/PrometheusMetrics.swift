import Foundation

/// The value of a sample line `name{labels} value` in a Prometheus exposition.
public func prometheusSample(_ text: String, _ name: String) -> Double? {
    for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
        return Double(line.split(separator: " ").last ?? "")
    }
    return nil
}

/// The value of metric `name` the relay on `port` reports now.
public func metric(_ name: String, port: Int) async throws -> Double? {
    prometheusSample(try await httpGet("http://127.0.0.1:\(port)/metrics").text, name)
}

/// Waits (at most 10 s) until the relay on `port` reports `count` open connections: closed
/// sockets are noticed before the test stops the relay.
public func waitUntilOpenConnections(_ count: Int, port: Int) async throws {
    let deadline = ContinuousClock.now + .seconds(10)
    while try await metric("purplepages_open_connections", port: port) != Double(count) {
        guard ContinuousClock.now < deadline else { throw TestFailure("the relay did not get to \(count) connections") }
        try await Task.sleep(for: .milliseconds(20))
    }
}
