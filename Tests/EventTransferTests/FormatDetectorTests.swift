import NostrCore
import Testing

@testable import EventTransfer

@Suite("FormatDetector")
struct FormatDetectorTests {
    /// Events whose JSON holds backslashes (every tricky content is escaped somehow).
    static let escapedEvents = TransferFixtures.trickyEvents().filter { $0.rawJSON.contains(UInt8(ascii: "\\")) }

    /// An event whose JSON has no backslash nor tab: both readings agree on it.
    static let plainEvent = TransferFixtures.event(
        TransferFixtures.keyPair(1), kind: 1, content: "plain text, no escapes", tags: [["t", "plain"]])

    @Test("the fixtures hold lines that can decide")
    func fixturesCanDecide() {
        #expect(Self.escapedEvents.count >= 4)
        #expect(!Self.plainEvent.rawJSON.contains(UInt8(ascii: "\\")))
    }

    @Test("JSONL with backslashes in content is detected as jsonl")
    func jsonlDetected() {
        for event in Self.escapedEvents {
            var detector = FormatDetector(.auto)
            #expect(detector.format(for: event.rawJSON) == .jsonl, "\(event.jsonString)")
            #expect(detector.decided == .jsonl)
        }
    }

    @Test("the same events COPY-escaped are detected as copy")
    func copyDetected() {
        for event in Self.escapedEvents {
            var detector = FormatDetector(.auto)
            #expect(detector.format(for: TransferFixtures.copyEscaped(event.rawJSON)) == .copy, "\(event.jsonString)")
            #expect(detector.decided == .copy)
        }
    }

    @Test("a COPY line whose plain reading also parses is still copy (the id decides)")
    func copyWhenBothParse() {
        // A lone backslash in content: JSON `\\`, COPY `\\\\`, which plain JSON reads as two backslashes.
        let event = TransferFixtures.event(TransferFixtures.keyPair(2), kind: 1, content: #"one \ backslash"#)
        let copyLine = TransferFixtures.copyEscaped(event.rawJSON)
        #expect((try? Event(json: copyLine)) != nil, "the plain reading parses")
        var detector = FormatDetector(.auto)
        #expect(detector.format(for: copyLine) == .copy)
    }

    @Test("lines without backslashes leave the format undecided until a deciding line")
    func undecidedUntilDecidingLine() {
        for (deciding, expected) in [
            (TransferFixtures.copyEscaped(Self.escapedEvents[0].rawJSON), InputFormat.copy),
            (Self.escapedEvents[0].rawJSON, InputFormat.jsonl),
        ] {
            var detector = FormatDetector(.auto)
            for _ in 0..<3 {
                #expect(detector.format(for: Self.plainEvent.rawJSON) == .jsonl)
                #expect(detector.decided == .auto)
            }
            #expect(detector.format(for: Array("not json at all".utf8)) == .jsonl)
            #expect(detector.decided == .auto, "a line without backslashes never decides")
            #expect(detector.format(for: deciding) == expected)
            #expect(detector.decided == expected)
            // Once decided, every line is read that way, including plain ones.
            #expect(detector.format(for: Self.plainEvent.rawJSON) == expected)
            #expect(detector.format(for: Self.escapedEvents[1].rawJSON) == expected)
        }
    }

    @Test("a line with a backslash that neither reading parses does not decide")
    func garbageDoesNotDecide() {
        var detector = FormatDetector(.auto)
        #expect(detector.format(for: Array(#"garbage \ line"#.utf8)) == .jsonl)
        #expect(detector.decided == .auto)
        #expect(detector.format(for: TransferFixtures.copyEscaped(Self.escapedEvents[2].rawJSON)) == .copy)
    }

    @Test("an explicit format is never second-guessed", arguments: [InputFormat.jsonl, .copy])
    func explicitFormat(_ format: InputFormat) {
        var detector = FormatDetector(format)
        #expect(detector.format(for: Self.escapedEvents[0].rawJSON) == format)
        #expect(detector.format(for: TransferFixtures.copyEscaped(Self.escapedEvents[0].rawJSON)) == format)
        #expect(detector.decided == format)
    }
}
