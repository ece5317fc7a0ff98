import NostrCore

/// A set of kinds written as numbers and `"a-b"` ranges, like `allowed_kinds` in config.json.
public struct KindSet: Sendable, Hashable, CustomStringConvertible {
    /// Inclusive ranges (a single kind is a range of one), sorted and merged.
    public private(set) var ranges: [ClosedRange<UInt16>]

    /// The set of the given ranges.
    public init(_ ranges: [ClosedRange<UInt16>]) {
        var merged: [ClosedRange<UInt16>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, Int(range.lowerBound) <= Int(last.upperBound) + 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        self.ranges = merged
    }

    /// PurplePages' default: profiles, follow lists, and the NIP-51 replaceable and addressable lists.
    public static let purplePagesDefault = KindSet([0...0, 3...3, 10000...19999, 30000...39999])

    /// Every kind.
    public static let all = KindSet([0...65535])

    /// Whether `kind` is in the set.
    public func contains(_ kind: Kind) -> Bool {
        ranges.contains { $0.contains(kind.rawValue) }
    }

    /// The set with `kind` added.
    public func adding(_ kind: Kind) -> KindSet { KindSet(ranges + [kind.rawValue...kind.rawValue]) }

    public var description: String {
        ranges.map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }
            .joined(separator: ", ")
    }
}
