/// An event's tags, stored compactly: every value's UTF-8 bytes back to back plus two offset tables.
///
/// A follow list with 2,000 `p` tags costs three allocations instead of 6,000 strings, and the
/// relay's hot paths (indexing, filter matching, canonical serialisation) read the bytes directly.
/// Values come out as `String`s only when asked for.
public struct Tags: Sendable, Hashable, RandomAccessCollection {
    /// Every value's decoded UTF-8, back to back.
    @usableFromInline var storage: [UInt8] = []
    /// For each value, the offset in `storage` where it ends.
    @usableFromInline var valueEnds: [UInt32] = []
    /// For each tag, the index in `valueEnds` where its values end.
    @usableFromInline var tagEnds: [UInt32] = []

    /// No tags.
    public init() {}

    /// Tags from arrays of strings, as written in JSON.
    public init(_ arrays: [[String]]) {
        for tag in arrays {
            for value in tag {
                var value = value
                value.withUTF8 { appendValue(UnsafeRawBufferPointer($0)) }
            }
            endTag()
        }
    }

    /// Appends a value to the tag being built.
    @inlinable
    mutating func appendValue(_ utf8: UnsafeRawBufferPointer) {
        storage.append(contentsOf: utf8)
        valueEnds.append(UInt32(storage.count))
    }

    /// Records the end of the value being appended to `storage` directly.
    @inlinable
    mutating func endValue() { valueEnds.append(UInt32(storage.count)) }

    /// Ends the tag being built.
    @inlinable
    mutating func endTag() { tagEnds.append(UInt32(valueEnds.count)) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { tagEnds.count }

    public subscript(position: Int) -> Tag {
        let first = position == 0 ? 0 : Int(tagEnds[position - 1])
        return Tag(tags: self, values: first..<Int(tagEnds[position]))
    }

    /// The tags as arrays of strings.
    public var arrays: [[String]] { map { Array($0) } }

    /// The total number of values across all tags.
    public var valueCount: Int { valueEnds.count }

    @inlinable
    func valueRange(_ valueIndex: Int) -> Range<Int> {
        (valueIndex == 0 ? 0 : Int(valueEnds[valueIndex - 1]))..<Int(valueEnds[valueIndex])
    }

    /// Calls `body` with the UTF-8 bytes of value number `valueIndex` (counted across all tags).
    @inlinable
    func withValueBytes<R>(_ valueIndex: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let range = valueRange(valueIndex)
        return try storage.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    /// The first tag whose name is `name`.
    public func first(named name: String) -> Tag? { first { $0.name == name } }
}

/// One tag: a name followed by values, e.g. `["p", "<hex>", "wss://relay"]`.
public struct Tag: Sendable, Hashable, RandomAccessCollection {
    @usableFromInline let tags: Tags
    /// The range of this tag's values in the value table.
    @usableFromInline let values: Range<Int>

    public var startIndex: Int { 0 }
    public var endIndex: Int { values.count }

    /// Element `position` of the tag (0 is the name).
    public subscript(position: Int) -> String {
        tags.withValueBytes(values.lowerBound + position) { String(decoding: $0, as: UTF8.self) }
    }

    /// The tag name (element 0), or `nil` for an empty tag.
    public var name: String? { isEmpty ? nil : self[0] }

    /// The tag's first value (element 1), the one NIP-01 indexes; `nil` when absent.
    public var value: String? { count > 1 ? self[1] : nil }

    /// Calls `body` with the UTF-8 bytes of element `position`.
    @inlinable
    public func withBytes<R>(at position: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try tags.withValueBytes(values.lowerBound + position, body)
    }

    /// Whether the name is exactly the single ASCII character `letter` (what NIP-01 tag filters match).
    @inlinable
    public func hasSingleLetterName(_ letter: UInt8) -> Bool {
        guard !isEmpty else { return false }
        return withBytes(at: 0) { $0.count == 1 && $0[0] == letter }
    }

    public static func == (lhs: Tag, rhs: Tag) -> Bool { Array(lhs) == Array(rhs) }
    public func hash(into hasher: inout Hasher) { hasher.combine(Array(self)) }
}
