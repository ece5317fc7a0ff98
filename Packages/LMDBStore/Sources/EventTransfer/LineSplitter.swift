/// Cuts a byte stream into lines (LF or CRLF), numbering them from 1; a last line without a
/// newline counts. A line longer than `maxLineBytes` is reported as too long, without being kept
/// in memory, and reading goes on after it.
struct LineSplitter {
    /// One line, or the fact that it was too long.
    enum Line {
        case text([UInt8], number: Int)
        case tooLong(number: Int, bytes: Int)
    }

    let maxLineBytes: Int
    private var partial: [UInt8] = []
    private var partialTooLong = false
    private var partialBytes = 0
    private(set) var lineNumber = 0

    init(maxLineBytes: Int) { self.maxLineBytes = maxLineBytes }

    /// Splits `chunk`, handing each completed line to `body`.
    mutating func split(_ chunk: ArraySlice<UInt8>, _ body: (Line) throws -> Void) rethrows {
        var start = chunk.startIndex
        while start < chunk.endIndex {
            guard let newline = chunk[start...].firstIndex(of: UInt8(ascii: "\n")) else {
                append(chunk[start...])
                return
            }
            append(chunk[start..<newline])
            try body(takeLine())
            start = newline + 1
        }
    }

    /// The last line, if the stream did not end with a newline.
    mutating func finish(_ body: (Line) throws -> Void) rethrows {
        if partialBytes > 0 || partialTooLong { try body(takeLine()) }
    }

    private mutating func append(_ bytes: ArraySlice<UInt8>) {
        partialBytes += bytes.count
        if partialBytes > maxLineBytes {
            partialTooLong = true
            partial = []
        } else {
            partial.append(contentsOf: bytes)
        }
    }

    private mutating func takeLine() -> Line {
        lineNumber += 1
        defer {
            partial = []
            partial.reserveCapacity(4096)
            partialBytes = 0
            partialTooLong = false
        }
        if partialTooLong { return .tooLong(number: lineNumber, bytes: partialBytes) }
        if partial.last == UInt8(ascii: "\r") { partial.removeLast() }
        return .text(partial, number: lineNumber)
    }
}
