import ArgumentParser
import Foundation
import Testing

@testable import CommandLineSupport

@Suite("Command-line support")
struct CommandLineSupportTests {
    @Test func procStatusFieldsAreReadInKiB() {
        let status = """
            Name:\tpurplepages
            VmPeak:\t  123456 kB
            VmHWM:\t   81234 kB
            VmRSS:\t   61234 kB
            RssAnon:\t   40000 kB
            RssFile:\t   21234 kB
            Threads:\t8
            """
        let fields = ProcessMemory.kibFields(status)
        #expect(fields["VmHWM"] == 81234 && fields["RssAnon"] == 40000 && fields["RssFile"] == 21234)
        #expect(fields["Threads"] == nil && fields["Name"] == nil)
    }

    @Test func thisProcessHasAPeakAtLeastItsResidentMemory() throws {
        let memory = try #require(ProcessMemory.read())
        #expect(memory.peakResidentKiB >= memory.residentKiB && memory.residentKiB > 0)
        #expect(ProcessMemory.peakReport.hasPrefix("peak RSS "))
        #expect(ProcessMemory.read(pid: -1) == nil)
    }

    @Test func anInvalidConfigurationIsAUsageError() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("clisupport-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("config.json").path
        try Data(#"{"limits": {"max_limit": "many"}}"#.utf8).write(to: URL(fileURLWithPath: path))
        let option = try ConfigurationFileOption.parse(["--config", path])
        let error = try #require(throws: ExitCode.self) { _ = try option.load(tool: "test") }
        #expect(error == ExitCode(2))
    }

    @Test func theAnalyticsDatabaseOptionOverridesTheFile() throws {
        var configuration = try ConfigurationFileOption.parse(["--config", "/nonexistent/config.json"]).load(tool: "t")
        try AnalyticsDatabaseOption.parse([]).apply(to: &configuration)
        #expect(configuration.storage.analyticsDatabaseURL == "")
        try AnalyticsDatabaseOption.parse(["--analytics-db-url", "postgresql://db/x"]).apply(to: &configuration)
        #expect(configuration.storage.analyticsDatabaseURL == "postgresql://db/x")
    }
}
