import Foundation
import NostrCore

/// The current Unix time.
public var unixNow: Int64 { Int64(Date().timeIntervalSince1970) }

extension KeyPair {
    /// A signed event by this key, created now unless told otherwise.
    public func event(
        _ kind: Kind, tags: [[String]] = [], content: String = "", at createdAt: Int64 = unixNow
    ) -> Event {
        sign(kind: kind, tags: tags, content: content, createdAt: createdAt)
    }
}
