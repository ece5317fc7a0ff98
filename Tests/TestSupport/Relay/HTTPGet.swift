import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An HTTP answer: status, headers (looked up case-insensitively) and body.
public struct HTTPAnswer: Sendable {
    /// The status code.
    public var status: Int
    /// The headers, as the server named them.
    public var headers: [String: String]
    /// The body.
    public var body: Data

    /// The value of header `name`, whatever its case.
    public func header(_ name: String) -> String? {
        headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// GETs `url` (no caching, no cookies), optionally with an `Accept` header.
public func httpGet(_ url: String, accept: String? = nil, timeout: TimeInterval = 5) async throws -> HTTPAnswer {
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
