import ArgumentParser
import Foundation
import Logging
import Synchronization
import Testing

@testable import CommandLineSupport

@Suite("Logging: --log-level, LOG_LEVEL and the one line format")
struct LoggingTests {
    @Test func theOptionBeatsTheEnvironmentWhichBeatsInfo() throws {
        #expect(try LoggingOptions.parse([]).level(environment: [:]) == .info)
        #expect(try LoggingOptions.parse([]).level(environment: ["LOG_LEVEL": ""]) == .info)
        #expect(try LoggingOptions.parse([]).level(environment: ["LOG_LEVEL": "debug"]) == .debug)
        #expect(try LoggingOptions.parse([]).level(environment: ["LOG_LEVEL": "Warning"]) == .warning)
        let option = try LoggingOptions.parse(["--log-level", "error"])
        #expect(try option.level(environment: [:]) == .error)
        #expect(try option.level(environment: ["LOG_LEVEL": "trace"]) == .error)
        for level in Logger.Level.allCases {
            #expect(try LoggingOptions.parse(["--log-level", level.rawValue]).level(environment: [:]) == level)
        }
    }

    @Test func anUnknownLevelIsRefusedNamingWhereItCameFrom() throws {
        #expect(throws: (any Error).self) { try LoggingOptions.parse(["--log-level", "verbose"]) }
        let error = try #require(throws: LoggingOptions.InvalidLogLevel.self) {
            try LoggingOptions.parse([]).level(environment: ["LOG_LEVEL": "bogus"])
        }
        #expect(error.description.hasPrefix("LOG_LEVEL: "))
        #expect(error.description.contains("\"bogus\""))
        #expect(error.description.contains("trace, debug, info, notice, warning, error, critical"))
        // Also when the option would decide: a typo in a unit file is never silent.
        #expect(throws: LoggingOptions.InvalidLogLevel.self) {
            try LoggingOptions.parse(["--log-level", "info"]).level(environment: ["LOG_LEVEL": "warn"])
        }
    }

    @Test func aLineIsTimeLevelLabelMessageAndSortedMetadata() {
        // 2026-12-03T13:11:20.123Z
        let date = Date(timeIntervalSince1970: 1_796_303_480.123_4)
        #expect(LogLineHandler.timestamp(date) == "2026-12-03T13:11:20.123Z")
        let line = LogLineHandler.line(
            at: date, level: .warning, label: "purplepages-analytics", message: "trust failed",
            metadata: ["zeta": "1", "alpha": "two words", "empty": "", "list": ["a", "b"], "quote": "say \"hi\""])
        #expect(
            line == #"2026-12-03T13:11:20.123Z warning purplepages-analytics: trust failed alpha="two words" empty="" "#
                + #"list=[a,b] quote="say \"hi\"" zeta=1"# + "\n")
    }

    @Test func aRecordIsAlwaysOneLine() {
        let line = LogLineHandler.line(
            at: Date(timeIntervalSince1970: 0), level: .error, label: "purplepages", message: "ERROR: boom\nDETAIL: x",
            metadata: ["query": "select 1\r\nfrom t", "path": #"C:\dir"#])
        #expect(
            line == #"1970-01-01T00:00:00.000Z error purplepages: ERROR: boom\nDETAIL: x path="C:\\dir" "#
                + #"query="select 1\r\nfrom t""# + "\n")
        #expect(line.filter { $0 == "\n" || $0 == "\r\n" }.count == 1)
    }

    @Test func millisecondsAreTruncatedAndTimesBefore1970Work() {
        #expect(LogLineHandler.timestamp(Date(timeIntervalSince1970: 0.999_9)) == "1970-01-01T00:00:00.999Z")
        #expect(LogLineHandler.timestamp(Date(timeIntervalSince1970: -0.001)) == "1969-12-31T23:59:59.999Z")
        #expect(LogLineHandler.timestamp(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000Z")
    }

    @Test func theHandlerWritesRecordsAtItsLevelAndAboveWithItsMetadata() {
        let lines = Lines()
        let handler = LogLineHandler(label: "purplepages-import", logLevel: .notice) { lines.append($0) }
        var logger = Logger(label: "purplepages-import") { _ in handler }
        logger[metadataKey: "file"] = "in.jsonl"
        logger.info("not written")
        logger.notice("written", metadata: ["line": "4"])
        logger.error("also written", metadata: ["file": "other.jsonl"])
        let written = lines.all
        #expect(written.count == 2)
        #expect(written[0].hasSuffix(" notice purplepages-import: written file=in.jsonl line=4\n"))
        #expect(written[1].hasSuffix(" error purplepages-import: also written file=other.jsonl\n"))
        #expect(written.allSatisfy { $0.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z [a-z]+ .+\n/) != nil })
    }
}

/// Lines written from any thread.
private final class Lines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}
