/// A strict, one-pass pull parser over UTF-8 bytes (RFC 8259).
///
/// The reader never builds a tree: callers walk the document with `beginArray`, `nextElement`,
/// `nextKey`, `readString`, `readInteger` and `skipValue`, so message parsers decode straight into
/// their own types. Everything it passes over, skipped values included, is fully validated:
/// UTF-8, escapes (surrogate pairs must pair), number syntax, literals, nesting depth.
/// It is only valid inside the `withUnsafeBytes` scope of the buffer it reads.
@usableFromInline
struct JSONReader {
    /// A string token: the bytes between the quotes, still escaped.
    @usableFromInline
    struct StringToken {
        /// Offset of the first byte after the opening quote.
        var start: Int
        /// Offset of the closing quote.
        var end: Int
        /// Whether the raw bytes contain a backslash escape (so they differ from the decoded value).
        var hasEscapes: Bool
        var count: Int { end - start }
    }

    /// A number token's bytes and whether it is written as an integer (no fraction, no exponent).
    @usableFromInline
    struct NumberToken {
        var start: Int
        var end: Int
        var isInteger: Bool
    }

    let base: UnsafePointer<UInt8>
    let end: Int
    let maxDepth: Int
    /// The offset of the next byte to read.
    var position: Int = 0
    /// How many arrays and objects are open.
    var depth: Int = 0

    /// The depth limit used when a caller gives none.
    static let defaultMaxDepth = 64
    /// The largest depth limit the iterative skipper supports.
    static let depthCeiling = 256

    init(_ buffer: UnsafeRawBufferPointer, maxDepth: Int = JSONReader.defaultMaxDepth) {
        // An empty buffer may have a nil base address; point at a static byte instead.
        self.base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? JSONReader.emptyBase
        self.end = buffer.count
        self.maxDepth = min(max(maxDepth, 1), JSONReader.depthCeiling)
    }

    nonisolated(unsafe) private static let emptyBase: UnsafePointer<UInt8> = {
        let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        pointer.initialize(to: 0)
        return UnsafePointer(pointer)
    }()

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: end) }

    func fail(_ reason: String, at offset: Int? = nil) -> JSONError {
        JSONError(offset: offset ?? position, reason: reason)
    }

    // MARK: Whitespace and punctuation

    @inline(__always)
    mutating func skipWhitespace() {
        while position < end {
            let byte = base[position]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            position += 1
        }
    }

    /// The next non-whitespace byte, without consuming it.
    @inline(__always)
    mutating func peek() throws(JSONError) -> UInt8 {
        skipWhitespace()
        guard position < end else { throw fail("unexpected end of input") }
        return base[position]
    }

    /// Fails unless only whitespace remains.
    mutating func expectEnd() throws(JSONError) {
        skipWhitespace()
        if position < end { throw fail("unexpected data after the end of the document") }
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(JSONError) {
        guard try peek() == byte else { throw fail("expected \(what)") }
        position += 1
    }

    // MARK: Containers

    /// Consumes `[`.
    @inline(__always)
    mutating func beginArray() throws(JSONError) {
        guard try peek() == UInt8(ascii: "[") else { throw fail("expected an array") }
        try enterContainer()
    }

    /// Consumes `{`.
    @inline(__always)
    mutating func beginObject() throws(JSONError) {
        guard try peek() == UInt8(ascii: "{") else { throw fail("expected an object") }
        try enterContainer()
    }

    @inline(__always)
    mutating func enterContainer() throws(JSONError) {
        depth += 1
        if depth > maxDepth { throw fail("nesting deeper than \(maxDepth) levels") }
        position += 1
    }

    /// Advances to the next array element. Returns `false` (after consuming `]`) when the array ends.
    /// `isFirst` must start `true` for each array.
    @inline(__always)
    mutating func nextElement(_ isFirst: inout Bool) throws(JSONError) -> Bool {
        let byte = try peek()
        if byte == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return false
        }
        if isFirst {
            isFirst = false
            return true
        }
        guard byte == UInt8(ascii: ",") else { throw fail("expected ',' or ']'") }
        position += 1
        return true
    }

    /// Advances to the next object member and reads its key and the `:`. Returns `nil` (after
    /// consuming `}`) when the object ends. `isFirst` must start `true` for each object.
    @inline(__always)
    mutating func nextKey(_ isFirst: inout Bool) throws(JSONError) -> StringToken? {
        var byte = try peek()
        if byte == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return nil
        }
        if isFirst {
            isFirst = false
        } else {
            guard byte == UInt8(ascii: ",") else { throw fail("expected ',' or '}'") }
            position += 1
            byte = try peek()
        }
        guard byte == UInt8(ascii: "\"") else { throw fail("expected a string key") }
        let key = try readStringToken()
        try expect(UInt8(ascii: ":"), "':' after an object key")
        return key
    }
}
