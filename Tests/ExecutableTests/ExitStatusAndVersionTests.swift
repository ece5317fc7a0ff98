import Foundation
import PurplePagesTestSupport
import Testing

/// DESIGN.md's CLI contract for every executable: `--version`, and exit status 2 for usage errors
/// (ArgumentParser's own default is 64).
@Suite("Executables: exit statuses and --version")
struct ExitStatusAndVersionTests {
    static let executables = ["purplepages", "purplepages-import", "purplepages-analytics"]

    @Test(arguments: executables)
    func versionNamesTheReleaseAndTheCommit(_ name: String) async throws {
        let result = try await ExternalCommand.built(name).run(["--version"])
        #expect(result.status == 0, "\(result.errors)")
        let line = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(
            line.wholeMatch(of: /\d+\.\d+\.\d+ \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)/) != nil,
            "\(name) --version printed \"\(line)\"")
        // Built in this git checkout, the commit is known.
        #expect(!line.contains("unknown"), "\(line)")
    }

    @Test func everyExecutablePrintsTheSameVersion() async throws {
        var lines: Set<String> = []
        for name in Self.executables {
            lines.insert(try await ExternalCommand.built(name).run(["--version"]).output)
        }
        #expect(lines.count == 1, "\(lines)")
    }

    @Test(arguments: [
        ("purplepages", ["--no-such-option"]),
        ("purplepages", ["--port", "not-a-number"]),
        ("purplepages", ["compact", "--no-such-option"]),
        ("purplepages", ["no-such-mode"]),
        ("purplepages-import", ["--no-such-option", "x.jsonl"]),
        ("purplepages-import", []),
        ("purplepages-import", ["export", "--no-such-option"]),
        ("purplepages-analytics", ["--no-such-option"]),
        ("purplepages-analytics", ["--once", "--interval", "soon"]),
    ])
    func usageErrorsExitWithStatus2(_ name: String, _ arguments: [String]) async throws {
        let result = try await ExternalCommand.built(name).run(arguments)
        #expect(result.status == 2, "\(name) \(arguments): status \(result.status), stderr \(result.errors)")
        #expect(!result.errors.isEmpty, "a usage error is explained")
    }

    @Test func optionsBeforeASubcommandReachIt() async throws {
        let directory = try TemporaryDirectory(prefix: "exit-status")
        let config = directory.path + "/config.json"
        try Data(#"{"limits": {"max_limit": "many"}}"#.utf8).write(to: URL(fileURLWithPath: config))
        // `--config` written before `compact` is compact's: its invalid file is the answer.
        let result = try await ExternalCommand.built("purplepages").run(["--config", config, "compact"])
        #expect(result.status == 2, "\(result.errors)")
        #expect(result.errors.contains("purplepages: \(config): limits.max_limit"), "\(result.errors)")
    }

    @Test(arguments: executables)
    func anInvalidConfigurationExitsWithStatus2(_ name: String) async throws {
        let directory = try TemporaryDirectory(prefix: "exit-status")
        let config = directory.path + "/config.json"
        try Data(#"{"limits": {"max_limit": "many"}}"#.utf8).write(to: URL(fileURLWithPath: config))
        let arguments = name == "purplepages-import" ? ["--config", config, "x.jsonl"] : ["--config", config]
        let result = try await ExternalCommand.built(name).run(
            arguments + (name == "purplepages-analytics" ? ["--once"] : []))
        #expect(result.status == 2, "\(name): status \(result.status), stderr \(result.errors)")
        #expect(result.errors.contains("\(config): limits.max_limit"), "\(result.errors)")
    }

    @Test func helpListsTheSubcommandsAndServeItsOptions() async throws {
        let relay = try ExternalCommand.built("purplepages")
        for flag in ["--help", "-h"] {
            let result = try await relay.run([flag])
            #expect(result.status == 0, "\(flag): \(result.errors)")
            #expect(result.output.contains("USAGE: purplepages"), "\(flag): \(result.output)")
            for subcommand in ["serve", "compact", "analytics", "import"] {
                #expect(result.output.contains(subcommand), "\(flag) does not list \(subcommand)")
            }
        }
        let serve = try await relay.run(["serve", "--help"])
        #expect(serve.status == 0)
        #expect(serve.output.contains("--analytics-db-url") && serve.output.contains("--log-level"))
    }
}
