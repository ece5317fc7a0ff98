import Foundation
import LMDBStore
import NostrCore
import Testing

@testable import EventTransfer

/// Broken variants of valid event JSON, one per way an export can be wrong.
enum BrokenLines {
    /// The string value of `field` in `json` (`"field":"value"`).
    static func value(of field: String, in json: String) -> String {
        let start = json.range(of: "\"\(field)\":\"")!.upperBound
        return String(json[start...].prefix { $0 != "\"" })
    }

    /// `event`'s JSON with `field`'s string value replaced by `value`.
    static func replacing(_ field: String, with value: String, in event: Event) -> [UInt8] {
        let json = event.jsonString
        let old = "\"\(field)\":\"\(Self.value(of: field, in: json))\""
        return Array(json.replacingOccurrences(of: old, with: "\"\(field)\":\"\(value)\"").utf8)
    }

    /// `event`'s JSON with its signature's last hex digit changed (still well formed).
    static func badSignature(_ event: Event) -> [UInt8] {
        let sig = value(of: "sig", in: event.jsonString)
        return replacing("sig", with: sig.dropLast() + (sig.last == "0" ? "1" : "0"), in: event)
    }

    /// `event`'s JSON without its `sig` field.
    static func missingSignature(_ event: Event) -> [UInt8] {
        let json = event.jsonString
        return Array(json.replacingOccurrences(of: ",\"sig\":\"\(value(of: "sig", in: json))\"", with: "").utf8)
    }
}

/// One line of an `ImportErrorLog` file.
struct ErrorLogEntry: Equatable, CustomStringConvertible {
    let file: String
    let line: Int
    let reason: String
    let text: String

    var description: String { "\(file):\(line): \(reason)" }

    /// The entries of the errors file at `path`, each line parsed as JSON.
    static func read(_ path: String) throws -> [ErrorLogEntry] {
        let data = try #require(FileManager.default.contents(atPath: path))
        return try data.split(separator: UInt8(ascii: "\n")).map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            return ErrorLogEntry(
                file: try #require(object["file"] as? String), line: try #require(object["line"] as? Int),
                reason: try #require(object["reason"] as? String), text: try #require(object["text"] as? String))
        }
    }
}

@Suite("EventImporter: rejected lines")
struct ImportRejectionTests {
    static let keys = TransferFixtures.keyPair(20)
    static let good = (0..<3).map {
        TransferFixtures.event(keys, kind: 7, createdAt: 1_700_000_000 + Int64($0), content: "good \($0)")
    }

    /// Refuses kind 1 (counted as a rejected kind) and more than three tags (counted as invalid).
    static let policy: @Sendable (Event, Int64) -> Reason? = { event, _ in
        if event.kind == 1 { return .blocked("kind 1 is not allowed") }
        if event.tags.count > 3 { return .invalid("too many tags: \(event.tags.count) (max 3)") }
        return nil
    }

    @Test("every kind of bad line is counted under its reason and logged with file and line")
    func everyBadLine() throws {
        let other = TransferFixtures.event(Self.keys, kind: 7, content: "other")
        let tooManyTags = TransferFixtures.event(
            Self.keys, kind: 7, content: "tags", tags: (0..<5).map { ["t", "tag\($0)"] })
        let overLong = TransferFixtures.event(Self.keys, kind: 7, content: String(repeating: "x", count: 3000))
        let lines: [(bytes: [UInt8], reason: String?)] = [
            (Self.good[0].rawJSON, nil),
            (Array(#"{"kind":1,,}"#.utf8), "invalid: malformed JSON"),
            (BrokenLines.replacing("id", with: other.id.hex, in: Self.good[1]), "invalid: id is computed incorrectly"),
            (BrokenLines.badSignature(Self.good[1]), "invalid: signature is invalid"),
            (
                BrokenLines.replacing("pubkey", with: String(repeating: "g", count: 64), in: Self.good[1]),
                #"invalid: "pubkey" must be 64 lowercase hex characters"#
            ),
            (BrokenLines.missingSignature(Self.good[1]), #"invalid: missing field "sig" in event"#),
            (TransferFixtures.event(Self.keys, kind: 1, content: "kind one").rawJSON, "blocked: kind 1 is not allowed"),
            (tooManyTags.rawJSON, "invalid: too many tags"),
            (overLong.rawJSON, "invalid: line too long"),
            ([], nil),
            (Array("  \t ".utf8), nil),
            (Array("[1,2]".utf8), "invalid: event must be a JSON object"),
            (Array(#"{"id":42}"#.utf8), #"invalid: "id" must be 64 lowercase hex characters"#),
            (Self.good[2].rawJSON, nil),
        ]
        try TransferFixtures.withTemporaryDirectory { directory in
            let path = directory + "/bad.jsonl"
            let logPath = directory + "/errors.jsonl"
            try TransferFixtures.writeLines(path, lines.map(\.bytes))
            try TransferFixtures.withStore { store in
                let options = TransferFixtures.options {
                    $0.policy = Self.policy
                    $0.maxLineBytes = 2000
                }
                let summary = try TransferFixtures.importFiles(
                    [path], into: store, options: options, errorLog: ImportErrorLog(path: logPath))
                #expect(summary.linesRead == lines.count)
                #expect(summary.blankLines == 2)
                #expect(summary.imported == 2)
                #expect(summary.rejectedKinds == 1)
                let invalid = lines.compactMap(\.reason).filter { $0.hasPrefix("invalid: ") }
                #expect(summary.invalid == Dictionary(invalid.map { ($0, 1) }, uniquingKeysWith: +))
                #expect(try TransferFixtures.storedJSON(store) == jsonSet([Self.good[0], Self.good[2]]))

                let entries = try ErrorLogEntry.read(logPath).sorted { $0.line < $1.line }
                let expected = lines.enumerated().compactMap { index, line in line.reason.map { (index + 1, $0) } }
                #expect(entries.map(\.line) == expected.map(\.0))
                for (entry, (number, reason)) in zip(entries, expected) {
                    #expect(entry.file == path)
                    #expect(entry.reason.hasPrefix(reason), "line \(number): \(entry.reason)")
                    // The too-long line is not kept in memory, so its text is not logged.
                    let text =
                        reason == "invalid: line too long"
                        ? "" : String(decoding: lines[number - 1].bytes, as: UTF8.self)
                    #expect(entry.text == text, "line \(number)")
                }
            }
        }
    }

    @Test("strict mode stops at the first bad line, keeping the events before it", arguments: [16_384, 1, 2])
    func strict(windowLines: Int) throws {
        let wrongID = BrokenLines.replacing("id", with: Self.good[0].id.hex, in: Self.good[1])
        let later = TransferFixtures.event(Self.keys, kind: 7, content: "after the bad line")
        try TransferFixtures.withTemporaryDirectory { directory in
            let path = directory + "/strict.jsonl"
            try TransferFixtures.writeLines(
                path, [Self.good[0].rawJSON, [], Self.good[2].rawJSON, wrongID, later.rawJSON])
            try TransferFixtures.withStore { store in
                let options = TransferFixtures.options {
                    $0.strict = true
                    $0.windowLines = windowLines
                }
                let error = #expect(throws: TransferError.self) {
                    try TransferFixtures.importFiles([path], into: store, options: options)
                }
                guard case .rejectedLine(let file, let line, let reason) = error else {
                    Issue.record("expected rejectedLine, got \(String(describing: error))")
                    return
                }
                #expect(file == path)
                #expect(line == 4)
                #expect(reason == "invalid: id is computed incorrectly")
                let stored = try TransferFixtures.storedJSON(store)
                #expect(stored == jsonSet([Self.good[0], Self.good[2]]))
            }
        }
    }

    @Test("strict mode stops at a too-long line, keeping the events before it")
    func strictTooLong() throws {
        let overLong = TransferFixtures.event(Self.keys, kind: 7, content: String(repeating: "x", count: 3000))
        try TransferFixtures.withTemporaryDirectory { directory in
            let path = directory + "/strict-long.jsonl"
            try TransferFixtures.writeLines(path, [Self.good[0].rawJSON, Self.good[1].rawJSON, overLong.rawJSON])
            try TransferFixtures.withStore { store in
                let options = TransferFixtures.options {
                    $0.strict = true
                    $0.maxLineBytes = 2000
                }
                let error = #expect(throws: TransferError.self) {
                    try TransferFixtures.importFiles([path], into: store, options: options)
                }
                guard case .rejectedLine(let file, let line, let reason) = error else {
                    Issue.record("expected rejectedLine, got \(String(describing: error))")
                    return
                }
                #expect(file == path && line == 3)
                #expect(reason.hasPrefix("invalid: line too long"))
                let stored = try TransferFixtures.storedJSON(store)
                #expect(stored == jsonSet([Self.good[0], Self.good[1]]))
            }
        }
    }

    @Test("strict mode names the first bad line even when a too-long line follows it in the same window")
    func strictFirstBadLineBeforeTooLong() throws {
        let overLong = TransferFixtures.event(Self.keys, kind: 7, content: String(repeating: "x", count: 3000))
        try TransferFixtures.withTemporaryDirectory { directory in
            let path = directory + "/strict-order.jsonl"
            try TransferFixtures.writeLines(path, [Self.good[0].rawJSON, Array("{oops".utf8), overLong.rawJSON])
            try TransferFixtures.withStore { store in
                let options = TransferFixtures.options {
                    $0.strict = true
                    $0.maxLineBytes = 2000
                }
                let error = #expect(throws: TransferError.self) {
                    try TransferFixtures.importFiles([path], into: store, options: options)
                }
                guard case .rejectedLine(_, let line, let reason) = error else {
                    Issue.record("expected rejectedLine, got \(String(describing: error))")
                    return
                }
                #expect(line == 2, "\(reason)")
                let stored = try TransferFixtures.storedJSON(store)
                #expect(stored == jsonSet([Self.good[0]]))
            }
        }
    }

    @Test("without signature checks a bad signature is accepted but a wrong id is not")
    func signaturesNotVerified() throws {
        let badSignature = BrokenLines.badSignature(Self.good[0])
        let wrongID = BrokenLines.replacing("id", with: Self.good[0].id.hex, in: Self.good[1])
        try TransferFixtures.withTemporaryDirectory { directory in
            let path = directory + "/unverified.jsonl"
            try TransferFixtures.writeLines(path, [badSignature, wrongID, Self.good[2].rawJSON])
            try TransferFixtures.withStore { store in
                let summary = try TransferFixtures.importFiles(
                    [path], into: store, options: TransferFixtures.options { $0.verifySignatures = false })
                #expect(summary.imported == 2)
                #expect(summary.invalid == ["invalid: id is computed incorrectly": 1])
                #expect(
                    try TransferFixtures.storedJSON(store)
                        == [String(decoding: badSignature, as: UTF8.self), Self.good[2].jsonString])
            }
        }
    }

    @Test("COPY lines that are not one value are rejected with their reason")
    func badCopyLines() throws {
        let lines: [[UInt8]] = [
            TransferFixtures.copyEscaped(TransferFixtures.trickyEvents()[0].rawJSON),
            Array(#"\N"#.utf8),
            TransferFixtures.copyEscaped(Self.good[0].rawJSON) + [0x09] + Array("second column".utf8),
            Self.good[1].rawJSON + [UInt8(ascii: "\\")],
        ]
        try TransferFixtures.withTemporaryDirectory { directory in
            let path = directory + "/bad.copy"
            try TransferFixtures.writeLines(path, lines)
            try TransferFixtures.withStore { store in
                let summary = try TransferFixtures.importFiles(
                    [path], into: store, options: TransferFixtures.options { $0.format = .copy })
                #expect(summary.imported == 1)
                #expect(
                    summary.invalid == [
                        "invalid: a NULL value": 1, "invalid: several columns": 1,
                        "invalid: a COPY line may not end with a lone backslash": 1,
                    ])
            }
        }
    }
}
