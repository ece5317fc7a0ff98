import Testing

@testable import EventTransfer

/// A line as the tests compare it: its text, or the fact that it was too long.
private enum SplitLine: Equatable, CustomStringConvertible {
    case text(String, Int)
    case tooLong(Int, bytes: Int)

    init(_ line: LineSplitter.Line) {
        switch line {
        case .text(let bytes, let number): self = .text(String(decoding: bytes, as: UTF8.self), number)
        case .tooLong(let number, let bytes): self = .tooLong(number, bytes: bytes)
        }
    }

    var description: String {
        switch self {
        case .text(let text, let number): "\(number): \(text.debugDescription)"
        case .tooLong(let number, let bytes): "\(number): too long (\(bytes) bytes)"
        }
    }
}

/// Splits `input` fed in pieces of `chunkSize` bytes (everything at once when nil).
private func split(_ input: String, chunkSize: Int? = nil, maxLineBytes: Int = 1 << 20) -> [SplitLine] {
    var splitter = LineSplitter(maxLineBytes: maxLineBytes)
    var lines: [SplitLine] = []
    let bytes = Array(input.utf8)
    let size = max(1, chunkSize ?? bytes.count)
    var start = 0
    while start < bytes.count {
        let end = min(bytes.count, start + size)
        splitter.split(bytes[start..<end]) { lines.append(SplitLine($0)) }
        start = end
    }
    splitter.finish { lines.append(SplitLine($0)) }
    return lines
}

@Suite("LineSplitter")
struct LineSplitterTests {
    /// Chunkings every case is run with: whole, one byte at a time, and sizes that cut lines.
    static let chunkSizes: [Int?] = [nil, 1, 2, 3, 5, 64]

    @Test("LF lines are numbered from 1", arguments: chunkSizes)
    func lf(chunkSize: Int?) {
        #expect(
            split("one\ntwo\nthree\n", chunkSize: chunkSize) == [.text("one", 1), .text("two", 2), .text("three", 3)])
    }

    @Test("CRLF lines lose their carriage return", arguments: chunkSizes)
    func crlf(chunkSize: Int?) {
        #expect(split("one\r\ntwo\r\n", chunkSize: chunkSize) == [.text("one", 1), .text("two", 2)])
        // Only the CR right before the newline goes; one inside a line stays.
        #expect(split("a\rb\r\n\r\n", chunkSize: chunkSize) == [.text("a\rb", 1), .text("", 2)])
    }

    @Test("a final line without a newline counts", arguments: chunkSizes)
    func finalLineWithoutNewline(chunkSize: Int?) {
        #expect(split("one\ntwo", chunkSize: chunkSize) == [.text("one", 1), .text("two", 2)])
        #expect(split("one\r\ntwo\r", chunkSize: chunkSize) == [.text("one", 1), .text("two", 2)])
        #expect(split("only", chunkSize: chunkSize) == [.text("only", 1)])
    }

    @Test("empty lines come out as empty text", arguments: chunkSizes)
    func emptyLines(chunkSize: Int?) {
        #expect(
            split("\n\na\n\n", chunkSize: chunkSize) == [.text("", 1), .text("", 2), .text("a", 3), .text("", 4)])
    }

    @Test("an empty stream has no lines")
    func emptyStream() {
        #expect(split("").isEmpty)
    }

    @Test("multi-byte characters cut by chunk boundaries are reassembled", arguments: chunkSizes)
    func multiByte(chunkSize: Int?) {
        #expect(split("🦄🦄\nü\n", chunkSize: chunkSize) == [.text("🦄🦄", 1), .text("ü", 2)])
    }

    @Test("a too-long line is reported with its number and the next lines still come out", arguments: chunkSizes)
    func tooLong(chunkSize: Int?) {
        let long = String(repeating: "x", count: 25)
        let lines = split("short\n\(long)\nafter\n\(long)\(long)\nlast", chunkSize: chunkSize, maxLineBytes: 10)
        #expect(
            lines == [
                .text("short", 1), .tooLong(2, bytes: 25), .text("after", 3), .tooLong(4, bytes: 50), .text("last", 5),
            ])
    }

    @Test("a too-long last line without a newline is reported", arguments: chunkSizes)
    func tooLongLastLine(chunkSize: Int?) {
        let lines = split("ok\n" + String(repeating: "y", count: 11), chunkSize: chunkSize, maxLineBytes: 10)
        #expect(lines == [.text("ok", 1), .tooLong(2, bytes: 11)])
    }

    @Test("a line of exactly the maximum is kept", arguments: chunkSizes)
    func exactlyMaximum(chunkSize: Int?) {
        let line = String(repeating: "z", count: 10)
        #expect(split("\(line)\n\(line)", chunkSize: chunkSize, maxLineBytes: 10) == [.text(line, 1), .text(line, 2)])
    }

    @Test("lineNumber counts the lines handed out")
    func lineNumberCounts() {
        var splitter = LineSplitter(maxLineBytes: 100)
        splitter.split(Array("a\nb\nc".utf8)[...]) { _ in }
        #expect(splitter.lineNumber == 2)
        splitter.finish { _ in }
        #expect(splitter.lineNumber == 3)
    }
}
