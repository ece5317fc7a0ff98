import NostrCore
import Testing

@testable import EventTransfer

@Suite("ImportSummary, ImportProgress and TransferError")
struct ImportSummaryTests {
    @Test(
        "reasons are grouped without their numbers",
        arguments: [
            (Reason.invalid("too many tags: 2100 (max 2000)"), "invalid: too many tags"),
            (Reason.invalid("line too long: 5000 bytes (max 4096)"), "invalid: line too long"),
            (Reason.invalid("malformed JSON: unexpected end at byte 3"), "invalid: malformed JSON"),
            (Reason.invalid("id is computed incorrectly"), "invalid: id is computed incorrectly"),
            (Reason.blocked("content too large (max 100)"), "blocked: content too large"),
        ])
    func category(_ reason: Reason, _ expected: String) {
        #expect(ImportSummary.category(reason) == expected)
    }

    @Test("a blocked kind counts as a rejected kind, anything else as invalid")
    func reject() {
        var summary = ImportSummary()
        summary.reject(.blocked("kind 1 is not allowed"))
        summary.reject(.blocked("kind 4 is not allowed"))
        summary.reject(.invalid("too many tags: 3 (max 2)"))
        summary.reject(.invalid("too many tags: 9 (max 2)"))
        summary.reject(.blocked("pubkey is banned"))
        #expect(summary.rejectedKinds == 2)
        #expect(summary.invalid == ["invalid: too many tags": 2, "blocked: pubkey is banned": 1])
        #expect(summary.invalidCount == 3)
    }

    @Test("store outcomes add up into the summary")
    func record() {
        var summary = ImportSummary()
        summary.record(
            SaveOutcomeCount(stored: 5, replaced: 2, duplicates: 3, older: 4, deleted: 1, expired: 6, ephemeral: 7))
        #expect(summary.imported == 7)
        #expect(summary.replacedOlder == 2)
        #expect(summary.duplicates == 3)
        #expect(summary.olderThanStored == 4)
        #expect(summary.deleted == 1)
        #expect(summary.expired == 6)
        #expect(summary.ephemeral == 7)
    }

    @Test("the report states every count and whether it was interrupted")
    func report() {
        var summary = ImportSummary()
        summary.linesRead = 12
        summary.blankLines = 2
        summary.imported = 7
        summary.reject(.invalid("line too long: 9 bytes (max 4)"))
        summary.seconds = 2
        #expect(summary.report.hasPrefix("import finished:"))
        #expect(summary.report.contains("lines read          12 (2 blank)"))
        #expect(summary.report.contains("imported            7"))
        #expect(summary.report.contains("1  invalid: line too long"))
        summary.interrupted = true
        #expect(summary.report.hasPrefix("import interrupted"))
    }

    @Test("one decimal, rounded", arguments: [(0.0, "0.0"), (1.25, "1.3"), (12.04, "12.0"), (99.96, "100.0")])
    func format1(_ value: Double, _ expected: String) {
        #expect(String(format1: value) == expected)
    }

    @Test("ETAs read as minutes and seconds, or hours and minutes")
    func clock() {
        #expect(ImportProgress.clock(0) == "0m00s")
        #expect(ImportProgress.clock(125) == "2m05s")
        #expect(ImportProgress.clock(3_660) == "1h01m")
    }

    @Test("a transfer error names the file and line")
    func transferErrorDescription() {
        #expect(
            TransferError.rejectedLine(file: "a.jsonl", line: 3, reason: "invalid: x").description
                == "a.jsonl:3: invalid: x")
        #expect(TransferError.io(file: "b.gz", "truncated").description == "b.gz: truncated")
        #expect(TransferError.store("full").description == "the store failed: full")
    }
}
