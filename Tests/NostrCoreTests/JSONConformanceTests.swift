import NostrCore
import Testing

/// One JSON test document: a name for the report and the exact input bytes.
struct JSONConformanceCase: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]

    init(_ name: String, _ text: String) {
        self.name = name
        self.bytes = Array(text.utf8)
    }

    init(_ name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    var testDescription: String { name }
}

private func quoted(_ inner: [UInt8]) -> [UInt8] { [0x22] + inner + [0x22] }
private func inArray(_ inner: [UInt8]) -> [UInt8] { Array("[".utf8) + inner + Array("]".utf8) }

/// Documents that every RFC 8259 parser must accept (JSONTestSuite's `y_` spirit, own cases).
private let mustParse: [JSONConformanceCase] = [
    // Containers
    JSONConformanceCase("empty array", "[]"),
    JSONConformanceCase("empty object", "{}"),
    JSONConformanceCase("array in array", "[[]]"),
    JSONConformanceCase("object in array", "[{}]"),
    JSONConformanceCase("object in object", #"{"a":{}}"#),
    JSONConformanceCase("deep object", #"{"a":{"b":{"c":{"d":[]}}}}"#),
    JSONConformanceCase("ten nested arrays", "[[[[[[[[[[1]]]]]]]]]]"),
    JSONConformanceCase("mixed array", #"[1,"a",true,false,null,{},[]]"#),
    JSONConformanceCase("nested mix", #"{"a":[1,{"b":null}],"c":"d"}"#),
    JSONConformanceCase("array of empty string", #"[""]"#),
    JSONConformanceCase("duplicate keys (generic level)", #"{"a":1,"a":2}"#),
    JSONConformanceCase("duplicate keys, different types", #"{"a":"x","a":[],"a":{}}"#),
    JSONConformanceCase("empty key", #"{"":0}"#),
    JSONConformanceCase("escaped NUL key", #"{"\u0000":"\u0000"}"#),
    JSONConformanceCase("spaces around colon and comma", #"{ "a" : 1 , "b" : 2 }"#),
    // Numbers
    JSONConformanceCase("zero", "0"),
    JSONConformanceCase("negative zero", "-0"),
    JSONConformanceCase("one", "1"),
    JSONConformanceCase("minus one", "-1"),
    JSONConformanceCase("integer in array", "[20]"),
    JSONConformanceCase("huge integer", "123456789012345678901234567890"),
    JSONConformanceCase("huge negative integer", "-99999999999999999999999999999999999999"),
    JSONConformanceCase("fraction", "1.5"),
    JSONConformanceCase("negative zero fraction", "-0.0"),
    JSONConformanceCase("lower e", "1e10"),
    JSONConformanceCase("upper E negative exponent", "1E-2"),
    JSONConformanceCase("fraction and plus exponent", "0.5e+3"),
    JSONConformanceCase("upper E plus exponent", "1E+2"),
    JSONConformanceCase("zero with exponent", "0e0"),
    JSONConformanceCase("big exponent", "1e999"),
    JSONConformanceCase("big negative exponent", "-1e-999"),
    JSONConformanceCase("very big exponent", "[123e100000]"),
    JSONConformanceCase("exponent with leading zeros", "1e007"),
    JSONConformanceCase("double max", "[1.7976931348623157e308]"),
    JSONConformanceCase("tiny fraction", "[0.0000000000000000000001]"),
    JSONConformanceCase("long fraction", "3.14159265358979323846264338327950288419716939937510"),
    JSONConformanceCase("everything number", "-123.456e-789"),
    JSONConformanceCase("number list", "[1e1,1E1,1e+1,1e-1,1.0E+01,-0,0,-0.0e-0]"),
    // Literals
    JSONConformanceCase("true", "true"),
    JSONConformanceCase("false", "false"),
    JSONConformanceCase("null", "null"),
    JSONConformanceCase("literals in array", "[true,false,null]"),
    // Strings and escapes
    JSONConformanceCase("empty string", #""""#),
    JSONConformanceCase("ascii string", #""abc""#),
    JSONConformanceCase("space string", #"" ""#),
    JSONConformanceCase("escaped quote", #""\"""#),
    JSONConformanceCase("escaped backslash", #""\\""#),
    JSONConformanceCase("escaped solidus", #""\/""#),
    JSONConformanceCase("unescaped solidus", #""a/b""#),
    JSONConformanceCase("short escapes", #""\b\f\n\r\t""#),
    JSONConformanceCase("all short escapes", #""\"\\\/\b\f\n\r\t""#),
    JSONConformanceCase("u0000", #""\u0000""#),
    JSONConformanceCase("u0041", #""\u0041""#),
    JSONConformanceCase("lowercase hex escape", #""\u00e9""#),
    JSONConformanceCase("uppercase hex escape", #""\u00E9""#),
    JSONConformanceCase("u-escaped backslash", #""\u005C""#),
    JSONConformanceCase("u-escaped quote", #""\u0022""#),
    JSONConformanceCase("escaped backslash then u", #""\\u0041""#),
    JSONConformanceCase("surrogate pair emoji", #""\ud83d\ude00""#),
    JSONConformanceCase("uppercase surrogate pair", #""\uD834\uDD1E""#),
    JSONConformanceCase("lowest surrogate pair", #""\ud800\udc00""#),
    JSONConformanceCase("highest surrogate pair", #""\udbff\udfff""#),
    JSONConformanceCase("noncharacter uffff", #""\uffff""#),
    JSONConformanceCase("line and paragraph separators", #""\u2028\u2029""#),
    JSONConformanceCase("escaped BOM in string", #""\uFEFF""#),
    JSONConformanceCase("2-byte UTF-8", "\"é\""),
    JSONConformanceCase("3-byte UTF-8", "\"日本語\""),
    JSONConformanceCase("4-byte UTF-8", "\"😀\""),
    JSONConformanceCase("U+0080 (C2 80)", "\"\u{80}\""),
    JSONConformanceCase("U+07FF (DF BF)", "\"\u{7FF}\""),
    JSONConformanceCase("U+0800 (E0 A0 80)", "\"\u{800}\""),
    JSONConformanceCase("U+D7FF (ED 9F BF)", "\"\u{D7FF}\""),
    JSONConformanceCase("U+E000 (EE 80 80)", "\"\u{E000}\""),
    JSONConformanceCase("U+FFFF (EF BF BF)", "\"\u{FFFF}\""),
    JSONConformanceCase("U+10000 (F0 90 80 80)", "\"\u{10000}\""),
    JSONConformanceCase("U+10FFFF (F4 8F BF BF)", "\"\u{10FFFF}\""),
    JSONConformanceCase("raw DEL", "\"\u{7F}\""),
    JSONConformanceCase("raw U+2028", "\"a\u{2028}b\""),
    JSONConformanceCase(
        "printable ASCII",
        "\""
            + (0x20...0x7E).filter { $0 != 0x22 && $0 != 0x5C }
            .map { String(UnicodeScalar(UInt8($0))) }.joined() + "\""),
    JSONConformanceCase("long string", "\"" + String(repeating: "abcdefgh", count: 1250) + "\""),
    JSONConformanceCase("long mixed string", "[\"" + String(repeating: "aé日😀\\n\\u0001", count: 300) + "\"]"),
    // Whitespace
    JSONConformanceCase("all four whitespace kinds", " \t\n\r[ \t\n\r1 \t\n\r, \t\n\r2 \t\n\r] \t\n\r"),
    JSONConformanceCase("whitespace in object", "\r\n{\t\"a\"\n:\r[ ]\t,\"b\" :{ } }\n"),
    JSONConformanceCase("leading whitespace scalar", "\t\t 1"),
    JSONConformanceCase("trailing newline", "[]\n"),
]

/// Documents that must be rejected (JSONTestSuite's `n_` spirit, own cases).
private let mustNotParse: [JSONConformanceCase] = [
    // Trailing and stray commas
    JSONConformanceCase("trailing comma in array", "[1,]"),
    JSONConformanceCase("trailing comma after two", "[1,2,]"),
    JSONConformanceCase("trailing comma in object", #"{"a":1,}"#),
    JSONConformanceCase("comma only array", "[,]"),
    JSONConformanceCase("comma only object", "{,}"),
    JSONConformanceCase("leading comma", "[,1]"),
    JSONConformanceCase("double comma", "[1,,2]"),
    JSONConformanceCase("double comma in object", #"{"a":1,,"b":2}"#),
    // Numbers
    JSONConformanceCase("leading zero", "01"),
    JSONConformanceCase("negative leading zero", "-01"),
    JSONConformanceCase("double zero", "00"),
    JSONConformanceCase("leading zero in array", "[012]"),
    JSONConformanceCase("leading dot", ".5"),
    JSONConformanceCase("trailing dot", "1."),
    JSONConformanceCase("zero dot", "[0.]"),
    JSONConformanceCase("dot then exponent", "1.e1"),
    JSONConformanceCase("empty exponent", "1e"),
    JSONConformanceCase("empty signed exponent", "1e+"),
    JSONConformanceCase("empty negative exponent", "[1E-]"),
    JSONConformanceCase("fractional exponent", "1e1.5"),
    JSONConformanceCase("plus sign", "+1"),
    JSONConformanceCase("double minus", "--1"),
    JSONConformanceCase("minus space", "- 1"),
    JSONConformanceCase("minus alone", "-"),
    JSONConformanceCase("minus alone in array", "[-]"),
    JSONConformanceCase("NaN", "NaN"),
    JSONConformanceCase("Infinity", "Infinity"),
    JSONConformanceCase("negative Infinity", "-Infinity"),
    JSONConformanceCase("hex number", "0x1"),
    JSONConformanceCase("hex in array", "[0x42]"),
    JSONConformanceCase("two dots", "1.5.5"),
    JSONConformanceCase("underscore separator", "1_000"),
    JSONConformanceCase("Arabic-Indic digit", "[\u{661}]"),
    JSONConformanceCase("lone dot", "."),
    // Literals
    JSONConformanceCase("truncated true", "tru"),
    JSONConformanceCase("truncated null", "nul"),
    JSONConformanceCase("truncated false", "[fals]"),
    JSONConformanceCase("capital True", "True"),
    JSONConformanceCase("capital NULL", "NULL"),
    JSONConformanceCase("literal with extra letter", "nulll"),
    JSONConformanceCase("glued literals", "truefalse"),
    JSONConformanceCase("literals without comma", "[true false]"),
    JSONConformanceCase("undefined", "[undefined]"),
    // Quotes and keys
    JSONConformanceCase("single-quoted string", "'a'"),
    JSONConformanceCase("single quotes in array", "['single']"),
    JSONConformanceCase("unquoted key", "{a:1}"),
    JSONConformanceCase("single-quoted key", "{'a':1}"),
    JSONConformanceCase("number key", "{1:1}"),
    JSONConformanceCase("null key", "{null:1}"),
    JSONConformanceCase("key without value", #"{"a"}"#),
    JSONConformanceCase("missing colon", #"{"a" 1}"#),
    JSONConformanceCase("missing value", #"{"a":}"#),
    JSONConformanceCase("missing comma between members", #"{"a":1 "b":2}"#),
    JSONConformanceCase("colon in array", #"["a":1]"#),
    // Comments
    JSONConformanceCase("block comment before", "/* c */ []"),
    JSONConformanceCase("line comment after", "[] // c"),
    JSONConformanceCase("comment inside", "[1,/*c*/2]"),
    JSONConformanceCase("hash comment", "# c\n[]"),
    // Escapes
    JSONConformanceCase("lone high surrogate", #""\ud800""#),
    JSONConformanceCase("lone low surrogate", #""\udc00""#),
    JSONConformanceCase("high surrogate then A", #""\ud800\u0041""#),
    JSONConformanceCase("two high surrogates", #""\ud800\ud800""#),
    JSONConformanceCase("high surrogate then text", #""\udbffx""#),
    JSONConformanceCase("high surrogate at end of string", #"["\ud83d"]"#),
    JSONConformanceCase("reversed surrogate pair", #""\ude00\ud83d""#),
    JSONConformanceCase("high surrogate then truncated escape", #""\ud800\u""#),
    JSONConformanceCase("escape x", #""\x41""#),
    JSONConformanceCase("escaped single quote", #""\'""#),
    JSONConformanceCase("uppercase U escape", #""\U0041""#),
    JSONConformanceCase("short u escape", #""\u12""#),
    JSONConformanceCase("short u escape in array", #"["\u12"]"#),
    JSONConformanceCase("empty u escape", #""\u""#),
    JSONConformanceCase("non-hex u escape", #""\uZZZZ""#),
    JSONConformanceCase("bad hex digit", #""\u00G0""#),
    JSONConformanceCase("escape a", #""\a""#),
    JSONConformanceCase("escape zero", #""\0""#),
    JSONConformanceCase("escaped newline byte", "\"\\\n\""),
    JSONConformanceCase("backslash at end of input", #""\"#),
    JSONConformanceCase("escaped closing quote only", #""\""#),
    // Raw control characters in strings
    JSONConformanceCase("raw NUL in string", bytes: quoted([0x61, 0x00, 0x62])),
    JSONConformanceCase("raw 0x01 in string", bytes: quoted([0x01])),
    JSONConformanceCase("raw tab in string", bytes: quoted([0x61, 0x09, 0x62])),
    JSONConformanceCase("raw newline in string", bytes: quoted([0x61, 0x0A, 0x62])),
    JSONConformanceCase("raw CR in string", bytes: quoted([0x0D])),
    JSONConformanceCase("raw ESC in string", bytes: quoted([0x1B])),
    JSONConformanceCase("raw 0x1F in string", bytes: inArray(quoted(Array("abcdefghijklmnop".utf8) + [0x1F]))),
    // Invalid UTF-8 in strings
    JSONConformanceCase("lone continuation 0x80", bytes: quoted([0x80])),
    JSONConformanceCase("lone continuation 0xBF", bytes: quoted([0xBF])),
    JSONConformanceCase("overlong slash C0 AF", bytes: quoted([0xC0, 0xAF])),
    JSONConformanceCase("overlong C1 BF", bytes: quoted([0xC1, 0xBF])),
    JSONConformanceCase("overlong 3-byte E0 80 AF", bytes: quoted([0xE0, 0x80, 0xAF])),
    JSONConformanceCase("overlong 3-byte E0 9F BF", bytes: quoted([0xE0, 0x9F, 0xBF])),
    JSONConformanceCase("UTF-8 surrogate ED A0 80", bytes: quoted([0xED, 0xA0, 0x80])),
    JSONConformanceCase("UTF-8 surrogate ED BF BF", bytes: quoted([0xED, 0xBF, 0xBF])),
    JSONConformanceCase("overlong 4-byte F0 8F BF BF", bytes: quoted([0xF0, 0x8F, 0xBF, 0xBF])),
    JSONConformanceCase("beyond U+10FFFF F4 90 80 80", bytes: quoted([0xF4, 0x90, 0x80, 0x80])),
    JSONConformanceCase("lead F5", bytes: quoted([0xF5, 0x80, 0x80, 0x80])),
    JSONConformanceCase("lead F8", bytes: quoted([0xF8, 0x88, 0x80, 0x80, 0x80])),
    JSONConformanceCase("byte FE", bytes: quoted([0xFE])),
    JSONConformanceCase("byte FF", bytes: quoted([0xFF])),
    JSONConformanceCase("truncated 2-byte before quote", bytes: quoted([0xC3])),
    JSONConformanceCase("truncated 3-byte before quote", bytes: quoted([0xE6, 0x97])),
    JSONConformanceCase("truncated 4-byte before quote", bytes: quoted([0xF0, 0x9F, 0x98])),
    JSONConformanceCase("truncated 2-byte at end of input", bytes: [0x22, 0xC3]),
    JSONConformanceCase("truncated 4-byte at end of input", bytes: [0x22, 0xF0, 0x9F]),
    JSONConformanceCase("bad continuation C3 28", bytes: quoted([0xC3, 0x28])),
    JSONConformanceCase("bad third byte E2 82 28", bytes: quoted([0xE2, 0x82, 0x28])),
    JSONConformanceCase("bad fourth byte F0 9F 98 28", bytes: quoted([0xF0, 0x9F, 0x98, 0x28])),
    JSONConformanceCase("invalid UTF-8 in key", bytes: Array("{".utf8) + quoted([0xFF]) + Array(":1}".utf8)),
    JSONConformanceCase(
        "invalid UTF-8 after long ASCII run",
        bytes: quoted(Array("0123456789abcdef0123".utf8) + [0x80] + Array("xyz".utf8))),
    // Bytes outside strings
    JSONConformanceCase("UTF-8 BOM before document", bytes: [0xEF, 0xBB, 0xBF] + Array("[]".utf8)),
    JSONConformanceCase("raw non-ASCII outside string", bytes: [0x5B, 0xC3, 0xA9, 0x5D]),
    JSONConformanceCase("form feed is not whitespace", "\u{0C}[]"),
    JSONConformanceCase("vertical tab is not whitespace", "[\u{0B}]"),
    JSONConformanceCase("no-break space is not whitespace", "\u{A0}[]"),
    JSONConformanceCase("NUL after document", bytes: Array("[]".utf8) + [0x00]),
    // Unterminated
    JSONConformanceCase("unterminated string", #""abc"#),
    JSONConformanceCase("unterminated string in array", #"["a]"#),
    JSONConformanceCase("unterminated long string", "\"" + String(repeating: "x", count: 100)),
    JSONConformanceCase("open bracket", "["),
    JSONConformanceCase("open brace", "{"),
    JSONConformanceCase("unterminated array", "[1"),
    JSONConformanceCase("unterminated array after comma", "[1,"),
    JSONConformanceCase("unterminated object", #"{"a":1"#),
    JSONConformanceCase("object ends after key", #"{"a""#),
    JSONConformanceCase("object ends after colon", #"{"a":"#),
    JSONConformanceCase("nested unterminated", #"[{"a":[1,2]"#),
    // Empty and extra
    JSONConformanceCase("empty input", ""),
    JSONConformanceCase("space only", " "),
    JSONConformanceCase("all whitespace only", " \t\n\r"),
    JSONConformanceCase("two top-level arrays", "[1] [2]"),
    JSONConformanceCase("two top-level numbers", "1 2"),
    JSONConformanceCase("two top-level objects", "{}{}"),
    JSONConformanceCase("garbage after array", "[1]x"),
    JSONConformanceCase("garbage after string", #""a"b"#),
    JSONConformanceCase("missing comma in array", "[1 2]"),
    JSONConformanceCase("missing comma between strings", #"["a" "b"]"#),
    JSONConformanceCase("semicolon separator", "[1;2]"),
    JSONConformanceCase("extra closing bracket", "[]]"),
    JSONConformanceCase("extra closing bracket after value", "[1]]"),
    JSONConformanceCase("extra closing brace", "{}}"),
    JSONConformanceCase("extra closing brace after member", #"{"a":1}}"#),
    JSONConformanceCase("lone closing bracket", "]"),
    JSONConformanceCase("lone closing brace", "}"),
    JSONConformanceCase("mismatched close array/brace", "[}"),
    JSONConformanceCase("mismatched close object/bracket", "{]"),
    JSONConformanceCase("mismatched nested close", #"[{"a":1]}"#),
]

/// The error `JSONValue.parse` throws for `bytes`, or `nil` if it parses.
private func parseError(_ bytes: [UInt8], maxDepth: Int = 64) -> JSONError? {
    do {
        _ = try JSONValue.parse(bytes, maxDepth: maxDepth)
        return nil
    } catch {
        return error
    }
}

@Suite("JSON conformance")
struct JSONConformanceTests {
    @Test func tableSizes() {
        #expect(mustParse.count >= 60)
        #expect(mustNotParse.count >= 80)
        #expect(Set(mustParse.map(\.name)).count == mustParse.count, "case names must be unique")
        #expect(Set(mustNotParse.map(\.name)).count == mustNotParse.count, "case names must be unique")
    }

    @Test(arguments: mustParse)
    func accepts(_ document: JSONConformanceCase) throws {
        let value = try JSONValue.parse(document.bytes)
        // Round trip: the compact serialisation parses back to the same value, and is a fixed point.
        let text = value.jsonString
        let reparsed = try JSONValue.parse(text)
        #expect(reparsed == value, "\(document.name): \(text)")
        #expect(reparsed.jsonString == text, "\(document.name)")
    }

    @Test(arguments: mustNotParse)
    func rejects(_ document: JSONConformanceCase) throws {
        let error = try #require(parseError(document.bytes), "\(document.name) parsed but must not")
        #expect(
            error.offset >= 0 && error.offset <= document.bytes.count,
            "\(document.name): offset \(error.offset) outside 0...\(document.bytes.count)")
        #expect(!error.reason.isEmpty)
    }

    /// Exact offsets and reasons for a handful of failures.
    @Test(
        arguments: [
            ("01", 0, "leading zeros"),
            ("[-01]", 1, "leading zeros"),
            (#"["\ud800"]"#, 2, "surrogate"),
            (#"["\udc00"]"#, 2, "surrogate"),
            (#""\ud800\u0041""#, 1, "surrogate"),
            ("[\"a\tb\"]", 3, "control character"),
            ("[\"a\nb\"]", 3, "control character"),
            ("[\"0123456789abcdef\u{1}\"]", 18, "control character"),
            ("[1,]", 3, "expected"),
            (#"{"a":1,}"#, 7, "expected"),
            ("[1 2]", 3, "expected"),
            (#"{"a" 1}"#, 5, "expected"),
            (#"{"a":}"#, 5, "expected"),
            ("[1]x", 3, "after the end"),
            ("[1] [2]", 4, "after the end"),
            (#""abc"#, 0, "unterminated"),
            ("", 0, "end of input"),
            ("  ", 2, "end of input"),
            ("[1", 2, "end of input"),
            ("tru", 0, "literal"),
            ("1.", 2, "digit"),
            ("1e", 2, "exponent"),
            (#""\x""#, 1, "escape"),
            (#"["\u00G0"]"#, 6, "hex"),
        ] as [(String, Int, String)])
    func exactOffsets(_ text: String, _ offset: Int, _ reasonFragment: String) throws {
        let error = try #require(parseError(Array(text.utf8)), "\(text.debugDescription) parsed but must not")
        #expect(error.offset == offset, "\(text.debugDescription): \(error)")
        #expect(error.reason.lowercased().contains(reasonFragment), "\(text.debugDescription): \(error)")
    }

    @Test(
        arguments: [
            ([0x5B, 0x22, 0x80, 0x22, 0x5D], 2),
            ([0x22, 0xED, 0xA0, 0x80, 0x22], 1),
            ([0x22, 0x61, 0xC0, 0xAF, 0x22], 2),
            ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1),
            ([0x22, 0xFF, 0x22], 1),
        ] as [([UInt8], Int)])
    func invalidUTF8Offsets(_ bytes: [UInt8], _ offset: Int) throws {
        let error = try #require(parseError(bytes))
        #expect(error.offset == offset, "\(bytes): \(error)")
        #expect(error.reason.contains("UTF-8"), "\(bytes): \(error)")
    }

    /// The reader scans strings eight bytes at a time; a special byte must be found at every
    /// position relative to the word boundaries, and harmless bytes (space, DEL) must not trip it.
    @Test func specialBytesAtEveryAlignment() throws {
        for length in 1..<40 {
            for position in 0..<length {
                var inner = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                for bad: UInt8 in [0x00, 0x09, 0x0A, 0x1F, 0x80, 0xFF] {
                    inner[position] = bad
                    let error = try #require(parseError(quoted(inner)), "length \(length), byte \(bad) at \(position)")
                    #expect(error.offset == 1 + position, "length \(length), byte \(bad) at \(position): \(error)")
                }
                for harmless: UInt8 in [0x20, 0x7F, 0x21, 0x23, 0x5B, 0x5D] {
                    inner[position] = harmless
                    let value = try JSONValue.parse(quoted(inner))
                    #expect(
                        value.stringValue?.utf8.count == length, "length \(length), byte \(harmless) at \(position)")
                }
                // A quote mid-word ends the string there; what follows is trailing data.
                inner[position] = 0x22
                let error = try #require(parseError(quoted(inner)), "length \(length), quote at \(position)")
                #expect(error.offset == 2 + position, "length \(length), quote at \(position): \(error)")
            }
        }
    }

    /// Decoded values, not just acceptance.
    @Test func decodedValues() throws {
        let cases: [(String, JSONValue)] = [
            (#""\ud83d\ude00""#, .string("😀")),
            (#""\uD834\uDD1E""#, .string("𝄞")),
            (#""\u0000""#, .string("\u{0}")),
            (#""\/""#, .string("/")),
            (#""\b\f\n\r\t""#, .string("\u{8}\u{C}\n\r\t")),
            (#""\"\\""#, .string("\"\\")),
            (#""\u00e9\u00E9""#, .string("éé")),
            (#""\\u0041""#, .string("\\u0041")),
            (#""\u005C\u0022""#, .string("\\\"")),
            ("\"\u{10FFFF}\"", .string("\u{10FFFF}")),
            ("-0", .number("-0")),
            ("1E-2", .number("1E-2")),
            ("0.5e+3", .number("0.5e+3")),
            ("1e999", .number("1e999")),
            (" \t\n\r[ true , false , null ] ", .array([.bool(true), .bool(false), .null])),
            (#"{"a":1,"a":2}"#, .object([.init("a", .number("1")), .init("a", .number("2"))])),
            (#"{"\u0061":[]}"#, .object([.init("a", .array([]))])),
        ]
        for (text, expected) in cases {
            let value = try JSONValue.parse(Array(text.utf8))
            #expect(value == expected, "\(text.debugDescription)")
            if case .string(let decoded) = value, case .string(let wanted) = expected {
                // String == is canonical equivalence; compare the exact scalars too.
                #expect(Array(decoded.unicodeScalars) == Array(wanted.unicodeScalars), "\(text.debugDescription)")
            }
        }
        let duplicate = try JSONValue.parse(Array(#"{"a":1,"a":2}"#.utf8))
        #expect(duplicate["a"] == .number("1"), "subscript returns the first of repeated keys")
    }

    /// The writer emits NIP-01 style escapes: short escapes, `\u00xx` lowercase, everything else verbatim.
    @Test func writerEscaping() throws {
        let value = JSONValue.string("\"\\/\u{8}\u{C}\n\r\t\u{0}\u{1}\u{1F}\u{7F}é\u{2028}😀")
        let expected = #""\"\\/\b\f\n\r\t\u0000\u0001\u001f"# + "\u{7F}é\u{2028}😀\""
        #expect(Array(value.jsonString.utf8) == Array(expected.utf8))
        #expect(try JSONValue.parse(value.jsonString) == value)
    }

    // MARK: Nesting depth

    @Test func nestingAtTheLimitParses() throws {
        let depth64 = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try JSONValue.parse(Array(depth64.utf8), maxDepth: 64)
        let objects64 = String(repeating: #"{"a":"#, count: 63) + "{}" + String(repeating: "}", count: 63)
        _ = try JSONValue.parse(Array(objects64.utf8), maxDepth: 64)
        let depth10 = String(repeating: "[", count: 10) + String(repeating: "]", count: 10)
        _ = try JSONValue.parse(Array(depth10.utf8), maxDepth: 10)
    }

    @Test func nestingBeyondTheLimitFails() throws {
        let depth65 = Array((String(repeating: "[", count: 65) + String(repeating: "]", count: 65)).utf8)
        let error65 = try #require(parseError(depth65, maxDepth: 64))
        #expect(error65.offset == 64, "\(error65)")
        #expect(error65.reason.contains("nesting"), "\(error65)")

        let depth100 = Array((String(repeating: "[", count: 100) + String(repeating: "]", count: 100)).utf8)
        let error100 = try #require(parseError(depth100, maxDepth: 64))
        #expect(error100.offset == 64, "\(error100)")
        #expect(error100.reason.contains("nesting"))

        let objects = Array((String(repeating: #"{"a":"#, count: 65) + "1" + String(repeating: "}", count: 65)).utf8)
        let objectError = try #require(parseError(objects, maxDepth: 64))
        #expect(objectError.offset == 64 * 5, "\(objectError)")

        let depth11 = Array((String(repeating: "[", count: 11) + String(repeating: "]", count: 11)).utf8)
        #expect(parseError(depth11, maxDepth: 10)?.offset == 10)
    }

    @Test func veryDeepNestingFailsFast() throws {
        let clock = ContinuousClock()
        let start = clock.now
        for opener in ["[", "{\"a\":", "[{\"a\":"] {
            let deep = Array(String(repeating: opener, count: 100_000).utf8)
            let error = try #require(parseError(deep), "\(opener) x 100000")
            #expect(error.offset < deep.count)
            #expect(error.reason.contains("nesting"), "\(error)")
            // Even a caller asking for an absurd limit must not recurse 100,000 levels deep.
            let huge = try #require(parseError(deep, maxDepth: Int.max), "\(opener) x 100000 with Int.max")
            #expect(huge.offset < deep.count)
            // And a deep *closed* document is refused too.
            let closed = Array((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8)
            #expect(parseError(closed) != nil)
        }
        #expect(clock.now - start < .seconds(5))
    }
}

// MARK: - Event-level strictness

private let sampleID = "5c83da77af1dec6d7289834998ad7aafbd9e2191396d75ec3cc27f5a77226f36"
private let samplePubkey = "dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659"
private let sampleSig = String(repeating: "0123456789abcdef", count: 8)

/// The seven fields of a structurally valid event, as raw JSON values in NIP-01's order.
private let baseFields: [(String, String)] = [
    ("id", "\"\(sampleID)\""),
    ("pubkey", "\"\(samplePubkey)\""),
    ("created_at", "1700000000"),
    ("kind", "1"),
    ("tags", #"[["e","abc"],["p","def","wss://r"]]"#),
    ("content", #""hello""#),
    ("sig", "\"\(sampleSig)\""),
]

private func eventJSON(_ fields: [(String, String)]) -> String {
    "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
}

private func eventJSON(replacing key: String, with raw: String) -> String {
    eventJSON(baseFields.map { $0.0 == key ? ($0.0, raw) : $0 })
}

private func eventJSON(removing key: String) -> String {
    eventJSON(baseFields.filter { $0.0 != key })
}

/// One malformed event: the document, a fragment its reason's message must contain, and
/// whether the error must carry the sample id (read before the failure) or no id.
struct MalformedEventCase: Sendable, CustomTestStringConvertible {
    var name: String
    var json: String
    var messageFragment: String
    var carriesID: Bool
    var testDescription: String { name }
}

private let malformedEvents: [MalformedEventCase] = [
    .init(
        name: "duplicate kind", json: eventJSON(baseFields + [("kind", "1")]), messageFragment: "duplicate",
        carriesID: true),
    .init(
        name: "duplicate id", json: eventJSON(baseFields + [("id", "\"\(sampleID)\"")]),
        messageFragment: "duplicate", carriesID: true),
    .init(
        name: "duplicate content via escaped key",
        json: eventJSON(baseFields + [(#"\u0063ontent"#, #""x""#)]), messageFragment: "duplicate", carriesID: true),
    .init(
        name: "duplicate tags", json: eventJSON(baseFields + [("tags", "[]")]), messageFragment: "duplicate",
        carriesID: true),
    .init(name: "missing id", json: eventJSON(removing: "id"), messageFragment: "id", carriesID: false),
    .init(name: "missing pubkey", json: eventJSON(removing: "pubkey"), messageFragment: "pubkey", carriesID: true),
    .init(
        name: "missing created_at", json: eventJSON(removing: "created_at"), messageFragment: "created_at",
        carriesID: true),
    .init(name: "missing kind", json: eventJSON(removing: "kind"), messageFragment: "kind", carriesID: true),
    .init(name: "missing tags", json: eventJSON(removing: "tags"), messageFragment: "tags", carriesID: true),
    .init(
        name: "missing content", json: eventJSON(removing: "content"), messageFragment: "content",
        carriesID: true),
    .init(name: "missing sig", json: eventJSON(removing: "sig"), messageFragment: "sig", carriesID: true),
    .init(
        name: "kind as string", json: eventJSON(replacing: "kind", with: #""1""#), messageFragment: "kind",
        carriesID: true),
    .init(
        name: "kind 65536", json: eventJSON(replacing: "kind", with: "65536"), messageFragment: "kind",
        carriesID: true),
    .init(
        name: "kind -1", json: eventJSON(replacing: "kind", with: "-1"), messageFragment: "kind",
        carriesID: true),
    .init(
        name: "kind fraction", json: eventJSON(replacing: "kind", with: "1.0"), messageFragment: "kind",
        carriesID: true),
    .init(
        name: "kind huge", json: eventJSON(replacing: "kind", with: "18446744073709551617"),
        messageFragment: "kind", carriesID: true),
    .init(
        name: "kind null", json: eventJSON(replacing: "kind", with: "null"), messageFragment: "kind",
        carriesID: true),
    .init(
        name: "created_at float", json: eventJSON(replacing: "created_at", with: "1.5"),
        messageFragment: "created_at", carriesID: true),
    .init(
        name: "created_at exponent", json: eventJSON(replacing: "created_at", with: "1e9"),
        messageFragment: "created_at", carriesID: true),
    .init(
        name: "created_at negative", json: eventJSON(replacing: "created_at", with: "-1"),
        messageFragment: "created_at", carriesID: true),
    .init(
        name: "created_at string", json: eventJSON(replacing: "created_at", with: #""1700000000""#),
        messageFragment: "created_at", carriesID: true),
    .init(
        name: "created_at beyond Int64", json: eventJSON(replacing: "created_at", with: "9223372036854775808"),
        messageFragment: "created_at", carriesID: true),
    .init(
        name: "tags not array", json: eventJSON(replacing: "tags", with: #"{"e":"x"}"#), messageFragment: "tags",
        carriesID: true),
    .init(
        name: "tags string", json: eventJSON(replacing: "tags", with: #""[]""#), messageFragment: "tags",
        carriesID: true),
    .init(
        name: "tags null", json: eventJSON(replacing: "tags", with: "null"), messageFragment: "tags",
        carriesID: true),
    .init(
        name: "tag not array", json: eventJSON(replacing: "tags", with: #"["e"]"#), messageFragment: "tag",
        carriesID: true),
    .init(
        name: "tag element number", json: eventJSON(replacing: "tags", with: #"[["e",1]]"#),
        messageFragment: "string", carriesID: true),
    .init(
        name: "tag element null", json: eventJSON(replacing: "tags", with: #"[["e",null]]"#),
        messageFragment: "string", carriesID: true),
    .init(
        name: "tag element array", json: eventJSON(replacing: "tags", with: #"[["e",["x"]]]"#),
        messageFragment: "string", carriesID: true),
    .init(
        name: "content number", json: eventJSON(replacing: "content", with: "42"), messageFragment: "content",
        carriesID: true),
    .init(
        name: "content null", json: eventJSON(replacing: "content", with: "null"), messageFragment: "content",
        carriesID: true),
    .init(
        name: "uppercase hex id", json: eventJSON(replacing: "id", with: "\"\(sampleID.uppercased())\""),
        messageFragment: "id", carriesID: false),
    .init(
        name: "63-char id", json: eventJSON(replacing: "id", with: "\"\(sampleID.dropLast())\""),
        messageFragment: "id", carriesID: false),
    .init(name: "id number", json: eventJSON(replacing: "id", with: "5"), messageFragment: "id", carriesID: false),
    .init(
        name: "63-char pubkey", json: eventJSON(replacing: "pubkey", with: "\"\(samplePubkey.dropLast())\""),
        messageFragment: "pubkey", carriesID: true),
    .init(
        name: "65-char pubkey", json: eventJSON(replacing: "pubkey", with: "\"\(samplePubkey)0\""),
        messageFragment: "pubkey", carriesID: true),
    .init(
        name: "uppercase pubkey", json: eventJSON(replacing: "pubkey", with: "\"\(samplePubkey.uppercased())\""),
        messageFragment: "pubkey", carriesID: true),
    .init(
        name: "non-hex pubkey", json: eventJSON(replacing: "pubkey", with: "\"\(String(repeating: "g", count: 64))\""),
        messageFragment: "pubkey", carriesID: true),
    .init(
        name: "127-char sig", json: eventJSON(replacing: "sig", with: "\"\(sampleSig.dropLast())\""),
        messageFragment: "sig", carriesID: true),
    .init(
        name: "129-char sig", json: eventJSON(replacing: "sig", with: "\"\(sampleSig)a\""),
        messageFragment: "sig", carriesID: true),
    .init(
        name: "uppercase sig", json: eventJSON(replacing: "sig", with: "\"\(sampleSig.uppercased())\""),
        messageFragment: "sig", carriesID: true),
    .init(
        name: "not an object", json: "[\(baseFields.map(\.1).joined(separator: ","))]",
        messageFragment: "object", carriesID: false),
    .init(name: "trailing data", json: eventJSON(baseFields) + " x", messageFragment: "malformed", carriesID: true),
    .init(
        name: "two events", json: eventJSON(baseFields) + eventJSON(baseFields), messageFragment: "malformed",
        carriesID: true),
    .init(
        name: "trailing comma", json: String(eventJSON(baseFields).dropLast()) + ",}",
        messageFragment: "malformed", carriesID: true),
    .init(
        name: "invalid JSON inside unknown field",
        json: eventJSON(baseFields + [("extra", "[1,]")]), messageFragment: "malformed", carriesID: true),
    .init(
        name: "lone surrogate inside unknown field",
        json: eventJSON(baseFields + [("extra", #"{"k":"\ud800"}"#)]), messageFragment: "surrogate",
        carriesID: true),
    .init(
        name: "raw control character in content",
        json: eventJSON(replacing: "content", with: "\"a\u{1}b\""), messageFragment: "control character",
        carriesID: true),
    .init(
        name: "lone surrogate in content",
        json: eventJSON(replacing: "content", with: #""\udc00""#), messageFragment: "surrogate", carriesID: true),
    .init(
        name: "failure before the id field",
        json: eventJSON([("kind", #""1""#)] + baseFields.filter { $0.0 != "kind" }), messageFragment: "kind",
        carriesID: false),
    .init(name: "empty input", json: "", messageFragment: "end of input", carriesID: false),
]

@Suite("Event parsing strictness")
struct EventParsingStrictnessTests {
    @Test func baseDocumentParses() throws {
        let event = try Event(json: eventJSON(baseFields))
        #expect(event.id.hex == sampleID)
        #expect(event.pubkey.hex == samplePubkey)
        #expect(event.sig.hex == sampleSig)
        #expect(event.createdAt == 1_700_000_000)
        #expect(event.kind == 1)
        #expect(event.tags.arrays == [["e", "abc"], ["p", "def", "wss://r"]])
        #expect(event.content == "hello")
        #expect(event.rawJSON == Array(eventJSON(baseFields).utf8))
    }

    @Test func acceptedVariations() throws {
        // Any field order, whitespace, unknown fields (validated and ignored), boundary values.
        let reordered = eventJSON(baseFields.reversed() + [("extra", #"{"nested":[1,true,null,"\u00e9"]}"#)])
        let event = try Event(json: " \n" + reordered + "\t")
        #expect(event.id.hex == sampleID)
        #expect(event.kind == 1)
        #expect(try Event(json: eventJSON(replacing: "kind", with: "65535")).kind == 65535)
        #expect(try Event(json: eventJSON(replacing: "kind", with: "0")).kind == 0)
        #expect(try Event(json: eventJSON(replacing: "created_at", with: "0")).createdAt == 0)
        #expect(try Event(json: eventJSON(replacing: "created_at", with: "9223372036854775807")).createdAt == .max)
        #expect(try Event(json: eventJSON(replacing: "tags", with: "[[],[\"\"]]")).tags.arrays == [[], [""]])
        let escaped = try Event(json: eventJSON(replacing: "content", with: #""\ud83d\ude00\/\u0001""#))
        #expect(Array(escaped.content.unicodeScalars) == Array("😀/\u{1}".unicodeScalars))
    }

    @Test(arguments: malformedEvents)
    func rejects(_ testCase: MalformedEventCase) throws {
        do {
            let event = try Event(json: testCase.json)
            Issue.record("\(testCase.name) parsed: \(event)")
        } catch {
            #expect(error.reason.prefix == .invalid, "\(testCase.name): \(error)")
            #expect(error.reason.message.contains(testCase.messageFragment), "\(testCase.name): \(error)")
            if testCase.carriesID {
                #expect(error.eventID?.hex == sampleID, "\(testCase.name): \(error)")
            } else {
                #expect(error.eventID == nil, "\(testCase.name): \(error)")
            }
        }
    }

    /// Keys are compared by their decoded value: every field spelled with a `\\u` escape is the same
    /// field, so it is recognised alone and counts as a duplicate next to the plain spelling.
    @Test(arguments: [
        ("id", #"\u0069d"#), ("id", #"i\u0064"#), ("id", #"\u0069\u0064"#), ("sig", #"\u0073ig"#),
        ("kind", #"k\u0069nd"#), ("tags", #"\u0074ags"#), ("pubkey", #"p\u0075bkey"#),
        ("content", #"\u0063ontent"#), ("created_at", #"created\u005fat"#),
    ])
    func escapedKeysAreTheSameFields(_ field: String, _ escapedKey: String) throws {
        let alone = {
            let fields = baseFields.map { $0.0 == field ? (escapedKey, $0.1) : $0 }
            let event = try Event(json: eventJSON(fields))
            #expect(event.id.hex == sampleID)
        }
        let duplicated = {
            // A second spelling with a *different* value: accepting it would let other parsers
            // (last key wins) see another event than the relay.
            let other =
                field == "id" ? "\"\(String(repeating: "0", count: 64))\"" : baseFields.first { $0.0 == field }!.1
            let error = try #require(throws: EventParseError.self, "\(escapedKey) next to \(field)") {
                try Event(json: eventJSON(baseFields + [(escapedKey, other)]))
            }
            #expect(error.reason.message.contains("duplicate"), "\(error)")
        }
        try alone()
        try duplicated()
    }

    @Test func duplicateKindMentionsDuplicate() throws {
        let json = eventJSON([("id", "\"\(sampleID)\""), ("kind", "1"), ("kind", "2")] + baseFields.dropFirst())
        let error = try #require(throws: EventParseError.self) { try Event(json: json) }
        #expect(error.reason.prefix == .invalid)
        #expect(error.reason.message.contains("duplicate"))
        #expect(error.reason.message.contains("kind"))
        #expect(error.eventID == EventID(hex: sampleID))
        #expect(error.description.hasPrefix("invalid: "))
    }

    @Test func deepUnknownFieldIsBounded() throws {
        let deep = String(repeating: "[", count: 100_000)
        let error = try #require(throws: EventParseError.self) {
            try Event(json: eventJSON(baseFields + [("extra", deep)]))
        }
        #expect(error.reason.prefix == .invalid)
        #expect(error.eventID?.hex == sampleID)
    }
}
