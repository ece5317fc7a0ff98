import Foundation
import NostrCore
import PurplePagesConfiguration
import PurplePagesTestSupport
import Testing

/// `make install` and `make uninstall` into a temporary prefix (from the debug build, so no release
/// build is needed), the installed relay and tools, the systemd units as installed, and
/// `deploy/config.example.json` against the configuration reader.
@Suite("Deploy: make install, the units, the example config", .serialized)
struct DeployTests {
    static let root: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("deploy").path) {
                return directory
            }
            directory.deleteLastPathComponent()
        }
        return directory
    }()

    static let executables = ["purplepages", "purplepages-analytics", "purplepages-import"]
    static let units = ["purplepages.service", "purplepages-analytics.service"]

    // MARK: The example configuration

    static func exampleBytes() throws -> [UInt8] {
        Array(try Data(contentsOf: root.appendingPathComponent("deploy/config.example.json")))
    }

    /// Everything a configuration holds, field by field (it is not Equatable): a new field shows up
    /// here by itself.
    static func rendering(_ configuration: RelayConfiguration) -> [String] {
        var text = ""
        dump(configuration, to: &text)
        return text.split(separator: "\n").map(String.init)
    }

    @Test func exampleConfigParsesToTheDefaultsWithoutWarnings() throws {
        let example = try RelayConfiguration.parse(try Self.exampleBytes(), file: "config.example.json")
        #expect(example.warnings.isEmpty, "\(example.warnings)")
        let parsed = Self.rendering(example)
        let defaults = Self.rendering(RelayConfiguration())
        #expect(parsed.count > 50, "the rendering shows the fields")
        let differences = zip(parsed, defaults).filter { $0 != $1 }.map { "example \($0)\ndefault \($1)" }
        #expect(
            parsed == defaults, "config.example.json differs from the defaults:\n\(differences.joined(separator: "\n"))"
        )
    }

    /// The rendering tells a changed value apart, so the comparison above can fail.
    @Test func renderingSeesAChangedValue() throws {
        var text = String(decoding: try Self.exampleBytes(), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"purge_expired_minutes\": 60", with: "\"purge_expired_minutes\": 61")
        let changed = try RelayConfiguration.parse(Array(text.utf8))
        #expect(Self.rendering(changed) != Self.rendering(RelayConfiguration()))
    }

    /// The keys of the example are exactly the keys the reader asks for (found in its sources, as
    /// `reader.integer("limits.max_limit")` and the like): none unknown, none missing.
    @Test func exampleConfigHasExactlyTheKeysTheReaderKnows() throws {
        let sources = Self.root.appendingPathComponent(
            "Packages/PurplePagesConfiguration/Sources/PurplePagesConfiguration")
        var known = Set<String>()
        for name in try FileManager.default.contentsOfDirectory(atPath: sources.path) where name.hasSuffix(".swift") {
            let source = try String(contentsOf: sources.appendingPathComponent(name), encoding: .utf8)
            for match in source.matches(
                of: /reader\.(?:string|strings|integer|integers|rate|fraction|boolean|kinds)\("([a-z0-9_.]+)"/)
            {
                known.insert(String(match.output.1))
            }
        }
        #expect(known.count > 50, "the reader's keys were found: \(known.sorted())")
        var keys = Set<String>()
        Self.leafKeys(try JSONValue.parse(try Self.exampleBytes()), prefix: "", into: &keys)
        #expect(
            keys.subtracting(known).isEmpty,
            "in the example, unknown to the reader: \(keys.subtracting(known).sorted())")
        #expect(
            known.subtracting(keys).isEmpty, "read, but missing from the example: \(known.subtracting(keys).sorted())")
    }

    static func leafKeys(_ value: JSONValue, prefix: String, into keys: inout Set<String>) {
        guard case .object(let members) = value else {
            keys.insert(prefix)
            return
        }
        for member in members {
            leafKeys(member.value, prefix: prefix.isEmpty ? member.key : prefix + "." + member.key, into: &keys)
        }
    }

    // MARK: make install / uninstall

    /// The debug build `swift build --build-tests` made.
    static func buildDirectory() throws -> String {
        URL(fileURLWithPath: try ExternalCommand.built("purplepages").path).deletingLastPathComponent().path
    }

    /// `make TARGET PREFIX=... SYSTEMD_DIR=... BUILD_DIR=<debug build> SERVICE_USER=...`. The user is
    /// `nobody` by default: one that exists, so that as root the chown path runs without creating a
    /// user (nothing in /etc is touched); empty skips the user.
    static func make(
        _ target: String, prefix: String, systemdDirectory: String, user: String = "nobody"
    ) async throws -> String {
        let result = try await ExternalCommand.onPath("make").run([
            "-s", "-C", root.path, target, "PREFIX=\(prefix)", "SYSTEMD_DIR=\(systemdDirectory)",
            "BUILD_DIR=\(try buildDirectory())", "SERVICE_USER=\(user)",
        ])
        guard result.status == 0 else {
            throw TestFailure("make \(target) failed (\(result.status)): \(result.output)\n\(result.errors)")
        }
        return result.output
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    static func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test func installRunsTheInstalledRelayAndToolsThenUninstallKeepsConfigAndData() async throws {
        let directory = try TemporaryDirectory(prefix: "purplepages-deploy")
        let prefix = directory.path + "/opt"
        let systemd = directory.path + "/systemd"
        let output = try await Self.make("install", prefix: prefix, systemdDirectory: systemd)

        for executable in Self.executables {
            #expect(FileManager.default.isExecutableFile(atPath: "\(prefix)/bin/\(executable)"), "\(output)")
        }
        #expect(
            try Data(contentsOf: URL(fileURLWithPath: prefix + "/config.example.json"))
                == Data(contentsOf: Self.root.appendingPathComponent("deploy/config.example.json")))
        for unit in Self.units {
            let text = try Self.read("\(systemd)/\(unit)")
            #expect(!text.contains("@"), "every placeholder filled in: \(unit)")
            #expect(text.contains("\nExecStart=\(prefix)/bin/"), "\(unit)")
            #expect(text.contains("\nReadWritePaths=\(prefix)/data\n"), "\(unit)")
            #expect(text.contains("\nUser=nobody\n"), "\(unit)")
            #expect(text == (try Self.read("\(prefix)/share/systemd/\(unit)")))
        }
        if getuid() == 0 {
            let owner = try FileManager.default.attributesOfItem(atPath: prefix + "/data")[.ownerAccountName]
            #expect(owner as? String == "nobody", "as root, data/ belongs to the service user")
        }

        // The installed config.json works as it is: the store lands in PREFIX/data.
        let config = prefix + "/config.json"
        let installedConfig = try RelayConfiguration.load(path: config)
        #expect(installedConfig.warnings.isEmpty)
        #expect(installedConfig.storage.path == prefix + "/data/events.lmdb")
        let port = try freePort()
        let relay = try await ExternalCommand.onPath(prefix + "/bin/purplepages").run(
            ["--config", config, "--port", String(port)]
        ) { process, errorPath in
            let deadline = ContinuousClock.now + .seconds(20)
            while true {
                guard process.isRunning else {
                    throw TestFailure("the installed relay exited: \((try? Self.read(errorPath)) ?? "")")
                }
                if let answer = try? await httpGet(
                    "http://127.0.0.1:\(port)/", accept: "application/nostr+json", timeout: 2),
                    answer.status == 200
                {
                    let document = try JSONValue.parse(Array(answer.body))
                    #expect(document["name"]?.stringValue == "PurplePages")
                    #expect(document["supported_nips"]?.arrayValue?.contains { $0.int64Value == 11 } == true)
                    break
                }
                guard ContinuousClock.now < deadline else {
                    throw TestFailure("the installed relay did not answer NIP-11 on port \(port) within 20 s")
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            process.terminate()  // SIGTERM, the units' KillSignal: the relay drains and exits 0
        }
        #expect(relay.status == 0, "the installed relay stopped cleanly on SIGTERM: \(relay.errors)")
        #expect(Self.exists(prefix + "/data/events.lmdb/data.mdb"), "the store is in the installed data/")

        // The tools run, and `purplepages analytics` hands over to the worker installed next to it.
        for (tool, arguments, usage) in [
            ("purplepages-import", ["--help"], "USAGE: purplepages-import"),
            ("purplepages-analytics", ["--help"], "USAGE: purplepages-analytics"),
            ("purplepages", ["analytics", "--help"], "USAGE: purplepages-analytics"),
        ] {
            let result = try await ExternalCommand.onPath("\(prefix)/bin/\(tool)").run(arguments)
            #expect(result.status == 0, "\(tool) \(arguments): \(result.errors)")
            #expect(result.output.contains(usage), "\(tool) \(arguments): \(result.output)")
        }

        // A second install keeps what the operator owns.
        let mine = "{\"relay\": {\"name\": \"Mine\"}}\n"
        try Data(mine.utf8).write(to: URL(fileURLWithPath: config))
        let again = try await Self.make("install", prefix: prefix, systemdDirectory: systemd)
        #expect(again.contains("kept the existing"), "\(again)")
        #expect(try Self.read(config) == mine)
        #expect(Self.exists(prefix + "/data/events.lmdb/data.mdb"))
        #expect(FileManager.default.isExecutableFile(atPath: prefix + "/bin/purplepages"))

        _ = try await Self.make("uninstall", prefix: prefix, systemdDirectory: systemd)
        let removed =
            Self.executables.map { "\(prefix)/bin/\($0)" } + Self.units.map { "\(systemd)/\($0)" }
            + ["\(prefix)/config.example.json", "\(prefix)/share", "\(prefix)/bin"]
        for path in removed {
            #expect(!Self.exists(path), "uninstall removed \(path)")
        }
        #expect(try Self.read(config) == mine, "uninstall keeps config.json")
        #expect(Self.exists(prefix + "/data/events.lmdb/data.mdb"), "uninstall keeps the store")
    }

    // MARK: systemd

    /// `systemd-analyze verify` on unit files: its status and what it said about them (it checks
    /// keys, values and that the ExecStart executables exist). Lines about anything else (the
    /// machine or container it runs in) are not about our units and are left out.
    static func verify(_ paths: [String]) async throws -> (status: Int32, complaints: [String]) {
        let result = try await ExternalCommand.onPath("systemd-analyze").run(["verify", "--man=no"] + paths)
        let lines = (result.output + "\n" + result.errors).split(separator: "\n").map(String.init)
        return (result.status, lines.filter { $0.contains("purplepages") })
    }

    @Test func installedUnitsPassSystemdAnalyzeVerify() async throws {
        let directory = try TemporaryDirectory(prefix: "purplepages-units")
        let prefix = directory.path + "/opt"
        let systemd = directory.path + "/systemd"
        // No user: the units keep `purplepages` (systemd-analyze calls `User=nobody` unsafe).
        _ = try await Self.make("install", prefix: prefix, systemdDirectory: systemd, user: "")
        let verified = try await Self.verify(Self.units.map { "\(systemd)/\($0)" })
        #expect(verified.status == 0 && verified.complaints.isEmpty, "\(verified.complaints)")

        // The check sees real mistakes: a misspelt key, a bad value, a missing executable.
        let relayUnit = try Self.read("\(systemd)/purplepages.service")
        for (from, to) in [
            ("ProtectSystem=strict", "ProtectSysten=strict"), ("Restart=on-failure", "Restart=sometimes"),
            ("/bin/purplepages --config", "/bin/purplepages-missing --config"),
        ] {
            let broken = "\(directory.path)/broken-purplepages.service"
            try Data(relayUnit.replacingOccurrences(of: from, with: to).utf8).write(to: URL(fileURLWithPath: broken))
            let result = try await Self.verify([broken])
            #expect(result.status != 0 || !result.complaints.isEmpty, "verify missed \(to)")
        }
        _ = try await Self.make("uninstall", prefix: prefix, systemdDirectory: systemd, user: "")
    }

    /// The units carry the limits and the sandbox the deployment relies on.
    @Test func unitsCarryTheirLimitsAndSandbox() throws {
        func settings(_ unit: String) throws -> [String: String] {
            var result: [String: String] = [:]
            for line in try Self.read(Self.root.appendingPathComponent("deploy/systemd/\(unit)").path)
                .split(separator: "\n") where !line.hasPrefix("#")
            {
                guard let equals = line.firstIndex(of: "=") else { continue }
                result[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
            return result
        }
        let relay = try settings("purplepages.service")
        let worker = try settings("purplepages-analytics.service")
        #expect(relay["ExecStart"] == "@PREFIX@/bin/purplepages --config @PREFIX@/config.json")
        #expect(worker["ExecStart"] == "@PREFIX@/bin/purplepages-analytics --config @PREFIX@/config.json")
        #expect(relay["LimitNOFILE"] == "65536")
        #expect(worker["MemoryMax"] == "2G")
        for key in ["CPUWeight", "IOWeight"] {
            #expect(Int(worker[key] ?? "") ?? .max < Int(relay[key] ?? "") ?? 0, "\(key): the worker below the relay")
        }
        #expect(Int(worker["Nice"] ?? "") ?? 0 > Int(relay["Nice"] ?? "") ?? 0)
        for unit in [relay, worker] {
            for (key, value) in [
                ("User", "@USER@"), ("WorkingDirectory", "@PREFIX@"), ("Restart", "on-failure"),
                ("KillSignal", "SIGTERM"), ("ProtectSystem", "strict"), ("ReadWritePaths", "@PREFIX@/data"),
                ("NoNewPrivileges", "yes"), ("PrivateTmp", "yes"), ("ProtectHome", "yes"),
                ("ProtectKernelTunables", "yes"), ("ProtectControlGroups", "yes"),
                ("RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"), ("LockPersonality", "yes"),
                ("RestrictRealtime", "yes"), ("SystemCallArchitectures", "native"), ("CapabilityBoundingSet", ""),
                ("Wants", "network-online.target"),
            ] {
                #expect(unit[key] == value, "\(key)")
            }
            #expect(unit["After"]?.hasPrefix("network-online.target postgresql.service") == true)
            #expect(Int(unit["TimeoutStopSec"] ?? "") ?? 0 >= 90, "room for the relay's drain (about 85 s at most)")
        }
    }
}
