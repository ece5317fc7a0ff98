import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An HTTP answer: status, headers (looked up case-insensitively) and body.
struct HTTPAnswer: Sendable {
    var status: Int
    var headers: [String: String]
    var body: Data

    func header(_ name: String) -> String? {
        headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}

/// GETs `url` (no caching, no cookies), optionally with an `Accept` header.
func httpGet(_ url: String, accept: String? = nil, timeout: TimeInterval = 5) async throws -> HTTPAnswer {
    guard let address = URL(string: url) else { throw TestFailure("bad URL \(url)") }
    var request = URLRequest(url: address, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
    if let accept { request.setValue(accept, forHTTPHeaderField: "Accept") }
    let configuration = URLSessionConfiguration.ephemeral
    configuration.urlCache = nil
    configuration.timeoutIntervalForRequest = timeout
    configuration.timeoutIntervalForResource = timeout
    let session = URLSession(configuration: configuration)
    defer { session.finishTasksAndInvalidate() }
    let (data, response) = try await session.data(for: request)
    guard let http = response as? HTTPURLResponse else { throw TestFailure("not an HTTP response from \(url)") }
    var headers: [String: String] = [:]
    for (key, value) in http.allHeaderFields {
        if let key = key as? String, let value = value as? String { headers[key] = value }
    }
    return HTTPAnswer(status: http.statusCode, headers: headers, body: data)
}

/// The value of a sample line `name{labels} value` in a Prometheus exposition.
func prometheusSample(_ text: String, _ name: String) -> Double? {
    for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
        return Double(line.split(separator: " ").last ?? "")
    }
    return nil
}

/// The value of metric `name` the relay on `port` reports now.
func metric(_ name: String, port: Int) async throws -> Double? {
    prometheusSample(try await httpGet("http://127.0.0.1:\(port)/metrics").text, name)
}

/// Waits (at most 10 s) until the relay on `port` reports `count` open connections: closed
/// sockets are noticed before the test stops the relay.
func waitUntilOpenConnections(_ count: Int, port: Int) async throws {
    let deadline = ContinuousClock.now + .seconds(10)
    while try await metric("purplepages_connections", port: port) != Double(count) {
        guard ContinuousClock.now < deadline else { throw TestFailure("the relay did not get to \(count) connections") }
        try await Task.sleep(for: .milliseconds(20))
    }
}
