/// The sorted items one side reconciles, with prefix sums of their ids so that the fingerprint of
/// any range costs one subtraction and one SHA-256 instead of a pass over the range.
public struct NegentropyStorage: Sendable {
    /// The items in protocol order, without duplicates.
    public let items: [NegentropyItem]
    /// `prefixSums[i]` is the sum of the ids of `items[0..<i]` (one more entry than items).
    private let prefixSums: [NegentropyIDSum]

    /// Sorts `items` into protocol order.
    ///
    /// - Throws: `.duplicateItem` when the same (created_at, id) appears twice.
    public init(_ items: some Sequence<NegentropyItem>) throws(NegentropyError) {
        var sorted = Array(items)
        sorted.sort()
        var sums: [NegentropyIDSum] = []
        sums.reserveCapacity(sorted.count + 1)
        var running = NegentropyIDSum()
        sums.append(running)
        for index in sorted.indices {
            if index > 0 && sorted[index - 1] == sorted[index] { throw .duplicateItem }
            running.add(sorted[index].id.raw)
            sums.append(running)
        }
        self.items = sorted
        self.prefixSums = sums
    }

    /// The number of items.
    public var count: Int { items.count }

    /// The fingerprint of `items[range]`.
    public func fingerprint(_ range: Range<Int>) -> NegentropyFingerprint {
        var sum = prefixSums[range.upperBound]
        sum.subtract(prefixSums[range.lowerBound])
        return sum.fingerprint(count: UInt64(range.count))
    }

    /// The first index in `range` whose item is not below `bound` (`range.upperBound` if none).
    public func lowerBound(of bound: NegentropyBound, in range: Range<Int>) -> Int {
        var low = range.lowerBound
        var high = range.upperBound
        while low < high {
            let middle = low + (high - low) / 2
            if bound.isAbove(items[middle]) {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }
}
