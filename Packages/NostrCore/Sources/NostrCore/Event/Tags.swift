/// An event's tags, stored compactly: one byte buffer that every value points into, plus two
/// offset tables.
///
/// For a parsed event the buffer is the event's own raw JSON (shared, not copied) and a value is
/// the range of its string token; only values written with escapes are decoded, into bytes added
/// after the JSON. A follow list with 2,000 `p` tags therefore costs two small tables instead of
/// 6,000 strings, and hot paths (indexing, filter matching, hashing) read bytes directly.
/// Values become `String`s only when asked for.
public struct Tags: Sendable, RandomAccessCollection {
    /// The bytes values point into.
    @usableFromInline var storage: [UInt8] = []
    /// For each value, `start << 32 | end` in `storage`.
    @usableFromInline var valueBounds: [UInt64] = []
    /// For each tag, the index in `valueBounds` where its values end.
    @usableFromInline var tagEnds: [UInt32] = []

    /// No tags.
    public init() {}

    /// Tags from arrays of strings, as written in JSON.
    public init(_ arrays: [[String]]) {
        for tag in arrays {
            for value in tag {
                let start = storage.count
                storage.append(contentsOf: value.utf8)
                valueBounds.append(UInt64(start) << 32 | UInt64(storage.count))
            }
            tagEnds.append(UInt32(valueBounds.count))
        }
    }

    /// The index of the first tag (always 0).
    public var startIndex: Int { 0 }
    /// The number of tags.
    public var endIndex: Int { tagEnds.count }

    /// Tag number `position`.
    public subscript(position: Int) -> Tag {
        let first = position == 0 ? 0 : Int(tagEnds[position - 1])
        return Tag(tags: self, values: first..<Int(tagEnds[position]))
    }

    /// The tags as arrays of strings.
    public var arrays: [[String]] { map { Array($0) } }

    /// The total number of values across all tags.
    public var valueCount: Int { valueBounds.count }

    /// The total UTF-8 length of all values.
    public var valueByteCount: Int { valueBounds.reduce(0) { $0 + Int($1 & 0xFFFF_FFFF) - Int($1 >> 32) } }

    /// Calls `body` with the UTF-8 bytes of value number `valueIndex` (counted across all tags).
    @inlinable
    func withValueBytes<R>(_ valueIndex: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let bounds = valueBounds[valueIndex]
        let range = Int(bounds >> 32)..<Int(bounds & 0xFFFF_FFFF)
        return try storage.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    /// The first tag whose name is `name` (compared as bytes, without building strings).
    public func first(named name: String) -> Tag? {
        var name = name
        return name.withUTF8 { wanted in first { $0.hasName(UnsafeRawBufferPointer(wanted)) } }
    }

    /// Whether any value contains a byte for which `predicate` holds.
    func anyValueByte(where predicate: (UInt8) -> Bool) -> Bool {
        storage.withUnsafeBytes { bytes in
            valueBounds.contains { bounds in
                bytes[Int(bounds >> 32)..<Int(bounds & 0xFFFF_FFFF)].contains(where: predicate)
            }
        }
    }
}

extension Tags: Hashable {
    /// Tags are equal when they hold the same values in the same tags, wherever the bytes live.
    public static func == (lhs: Tags, rhs: Tags) -> Bool {
        guard lhs.tagEnds == rhs.tagEnds else { return false }
        for index in 0..<lhs.valueBounds.count {
            let equal = lhs.withValueBytes(index) { left in rhs.withValueBytes(index) { left.elementsEqual($0) } }
            if !equal { return false }
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(tagEnds)
        for index in 0..<valueBounds.count { withValueBytes(index) { hasher.combine(bytes: $0) } }
    }
}

/// Builds the `Tags` of an event while its JSON is parsed: values without escapes are recorded as
/// offsets into the JSON; escaped ones are decoded into a side buffer appended after it at the end.
struct TagsBuilder {
    /// Offsets are relative to the start of the event object.
    let objectStart: Int
    var valueBounds: [UInt64] = []
    var tagEnds: [UInt32] = []
    var decoded: [UInt8] = []
    /// Marks bounds that point into `decoded` until `finish` moves them after the JSON.
    static let decodedFlag: UInt64 = 1 << 31

    init(objectStart: Int) {
        self.objectStart = objectStart
        valueBounds.reserveCapacity(16)
        tagEnds.reserveCapacity(8)
    }

    @inline(__always)
    mutating func addValue(_ token: JSONReader.StringToken, reader: JSONReader) {
        if !token.hasEscapes {
            valueBounds.append(UInt64(token.start - objectStart) << 32 | UInt64(token.end - objectStart))
        } else {
            let start = decoded.count
            reader.appendDecoded(token, to: &decoded)
            valueBounds.append(
                (UInt64(start) | TagsBuilder.decodedFlag) << 32 | UInt64(decoded.count) | TagsBuilder.decodedFlag)
        }
    }

    @inline(__always)
    mutating func endTag() { tagEnds.append(UInt32(valueBounds.count)) }

    /// The finished tags over `rawJSON` (the event object's bytes).
    func finish(rawJSON: [UInt8]) -> Tags {
        var tags = Tags()
        tags.tagEnds = tagEnds
        guard !decoded.isEmpty else {
            tags.storage = rawJSON
            tags.valueBounds = valueBounds
            return tags
        }
        tags.storage = rawJSON + decoded
        let shift = UInt64(rawJSON.count)
        let flags = TagsBuilder.decodedFlag << 32 | TagsBuilder.decodedFlag
        tags.valueBounds = valueBounds.map { bounds in
            guard bounds & flags == flags else { return bounds }
            let start = (bounds >> 32) & ~TagsBuilder.decodedFlag
            let end = bounds & 0xFFFF_FFFF & ~TagsBuilder.decodedFlag
            return (start + shift) << 32 | (end + shift)
        }
        return tags
    }
}

/// One tag: a name followed by values, e.g. `["p", "<hex>", "wss://relay"]`.
public struct Tag: Sendable, Hashable, RandomAccessCollection {
    @usableFromInline let tags: Tags
    /// The range of this tag's values in the value table.
    @usableFromInline let values: Range<Int>

    /// The index of the name (always 0).
    public var startIndex: Int { 0 }
    /// The number of elements, the name included.
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

    /// Whether the name's UTF-8 bytes are exactly `name`.
    @inlinable
    public func hasName(_ name: UnsafeRawBufferPointer) -> Bool {
        guard !isEmpty else { return false }
        return withBytes(at: 0) { $0.elementsEqual(name) }
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
