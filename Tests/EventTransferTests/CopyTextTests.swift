import NostrCore
import Testing

@testable import EventTransfer

// PostgreSQL's COPY FROM text rules (src/backend/commands/copyfromparse.c, CopyReadAttributesText):
// each escape below is decoded the way the server decodes it.

/// `text` as bytes, so expectations read as the COPY lines they are.
private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

@Suite("CopyText.decode")
struct CopyTextTests {
    /// One escape and the bytes PostgreSQL decodes it to.
    struct Escape: Sendable, CustomTestStringConvertible {
        let line: String
        let expected: [UInt8]
        var testDescription: String { line }
    }

    static let escapes: [Escape] = [
        Escape(line: #"a\bz"#, expected: [0x61, 0x08, 0x7A]),
        Escape(line: #"a\fz"#, expected: [0x61, 0x0C, 0x7A]),
        Escape(line: #"a\nz"#, expected: [0x61, 0x0A, 0x7A]),
        Escape(line: #"a\rz"#, expected: [0x61, 0x0D, 0x7A]),
        Escape(line: #"a\tz"#, expected: [0x61, 0x09, 0x7A]),
        Escape(line: #"a\vz"#, expected: [0x61, 0x0B, 0x7A]),
        Escape(line: #"a\\z"#, expected: [0x61, 0x5C, 0x7A]),
        // Octal: one, two or three digits; a fourth digit is a character of its own.
        Escape(line: #"\7"#, expected: [0x07]),
        Escape(line: #"\41!"#, expected: [0x21, 0x21]),
        Escape(line: #"\101"#, expected: [0x41]),
        Escape(line: #"\1011"#, expected: [0x41, 0x31]),
        Escape(line: #"\08"#, expected: [0x00, 0x38]),
        Escape(line: #"\377"#, expected: [0xFF]),
        // PostgreSQL keeps the low eight bits of a larger octal value.
        Escape(line: #"\501"#, expected: [0x41]),
        // Hex: one or two digits, either case; a third is a character of its own.
        Escape(line: #"\x41"#, expected: [0x41]),
        Escape(line: #"\x4"#, expected: [0x04]),
        Escape(line: #"\x4g"#, expected: [0x04, 0x67]),
        Escape(line: #"\x414"#, expected: [0x41, 0x34]),
        Escape(line: #"\xfF"#, expected: [0xFF]),
        // `\x` without a hex digit is a plain `x`.
        Escape(line: #"\xg"#, expected: [0x78, 0x67]),
        Escape(line: #"\x"#, expected: [0x78]),
        // A backslash before any other character stands for that character.
        Escape(line: #"\"quoted\""#, expected: bytes(#""quoted""#)),
        Escape(line: #"https:\/\/relay"#, expected: bytes("https://relay")),
        Escape(line: #"\a\z\."#, expected: bytes("az.")),
        // `\N` is NULL only as the whole value.
        Escape(line: #"x\Ny"#, expected: bytes("xNy")),
        Escape(line: #"\\N"#, expected: bytes(#"\N"#)),
        // Escapes decode to raw bytes, so multi-byte UTF-8 can be spelled in octal.
        Escape(line: #"\360\237\246\204"#, expected: bytes("🦄")),
    ]

    @Test("each COPY escape decodes as PostgreSQL does", arguments: escapes)
    func decodesEscape(_ escape: Escape) throws {
        #expect(try CopyText.decode(bytes(escape.line)) == escape.expected)
    }

    @Test(
        "a line without backslashes or tabs is returned unchanged",
        arguments: [#"{"content":"plain"}"#, "🦄 \"quotes\" / slashes", "", " ", "\u{0B}\u{0C}\r"])
    func plainLineUnchanged(_ line: String) throws {
        #expect(try CopyText.decode(bytes(line)) == bytes(line))
    }

    @Test("\\N alone is NULL")
    func nullMarker() {
        #expect(throws: CopyText.Failure.null) { try CopyText.decode(bytes(#"\N"#)) }
    }

    @Test("a raw tab separates columns", arguments: ["a\tb", "\t", "value\t", "a\\tb\tc"])
    func rawTab(_ line: String) {
        #expect(throws: CopyText.Failure.severalColumns) { try CopyText.decode(bytes(line)) }
    }

    @Test("a trailing lone backslash fails", arguments: [#"\"#, #"abc\"#, #"abc\\\"#])
    func trailingBackslash(_ line: String) {
        #expect(throws: CopyText.Failure.trailingBackslash) { try CopyText.decode(bytes(line)) }
    }

    @Test("an escaped backslash at the end is not a lone one")
    func escapedBackslashAtEnd() throws {
        #expect(try CopyText.decode(bytes(#"abc\\"#)) == bytes(#"abc\"#))
    }

    @Test("every byte but NUL survives COPY TO escaping and decoding")
    func everyByteRoundTrips() throws {
        let original = (1...255).map { UInt8($0) } + [0x5C, 0x5C, 0x0A, 0x0D, 0x09, 0x5C]
        #expect(try CopyText.decode(TransferFixtures.copyEscaped(original)) == original)
    }

    @Test("event JSON with backslashes, quotes, newlines, tabs and emoji round-trips through COPY text")
    func eventJSONRoundTrips() throws {
        for event in TransferFixtures.trickyEvents() {
            let escaped = TransferFixtures.copyEscaped(event.rawJSON)
            let decoded = try CopyText.decode(escaped)
            #expect(decoded == event.rawJSON, "\(event.jsonString)")
            let parsed = try Event(json: decoded)
            #expect(parsed.id == event.id)
            #expect(parsed.content == event.content)
            #expect(throws: Never.self) { try parsed.validate() }
        }
    }

    @Test("the COPY end-of-data marker is a backslash and a period")
    func endMarker() {
        #expect(CopyText.endMarker == bytes(#"\."#))
    }
}
