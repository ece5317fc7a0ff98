/// A configuration that cannot be used: which file, which key, and why.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The configuration file, or `nil` for values given on the command line.
    public var file: String?
    /// The key's path, e.g. `limits.max_limit`.
    public var key: String
    /// What is wrong.
    public var reason: String

    /// Creates an error.
    public init(file: String?, key: String, reason: String) {
        self.file = file
        self.key = key
        self.reason = reason
    }

    public var description: String {
        let place = [file, key.isEmpty ? nil : key].compactMap { $0 }.joined(separator: ": ")
        return place.isEmpty ? reason : "\(place): \(reason)"
    }
}
