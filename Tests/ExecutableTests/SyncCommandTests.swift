import Foundation
import LMDBStore
import NostrCore
import PurplePagesTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `purplepages sync` as a process between two relays that keep running: the store it writes is a
/// running relay's own (LMDB serialises the two writers), and its summary and exit status.
@Suite("purplepages sync as a process", .serialized)
struct SyncCommandTests {
    /// A relay process on a fresh store, with its config file.
    struct Node {
        let relay: RunningRelay
        let port: Int
        let config: String

        init(_ directory: TemporaryDirectory, _ name: String) async throws {
            config = directory.path + "/\(name).json"
            let text = #"{"storage": {"path": "\#(directory.path)/\#(name)", "map_size_gb": 1}}"#
            try Data(text.utf8).write(to: URL(fileURLWithPath: config))
            port = try freePort()
            relay = try RunningRelay(
                arguments: ["--config", config, "--port", String(port)], logDirectory: directory.path, name: name)
            _ = try await relay.waitForInformationDocument(port: port)
        }

        func publish(_ events: [Event]) async throws {
            let client = try await NostrTestClient.connect(port: port)
            for event in events { #expect(try await client.publish(event).accepted) }
            await client.close()
        }

        func ids(_ filter: Filter = Filter(kinds: [0, 3, 30000], limit: 1000)) async throws -> Set<EventID> {
            let client = try await NostrTestClient.connect(port: port)
            defer { Task { await client.close() } }
            return Set(try await client.request("all", [filter]).map(\.id))
        }
    }

    @Test func syncsBothWaysIntoARunningRelaysStore() async throws {
        let directory = try TemporaryDirectory(prefix: "sync-command")
        let remote = try await Node(directory, "remote")
        defer { remote.relay.kill() }
        let local = try await Node(directory, "local")
        defer { local.relay.kill() }
        let key = KeyPair.generate()
        let now = unixNow
        let common = (0..<15).map { key.event(30000, tags: [["d", "common-\($0)"]], at: now - 100 + Int64($0 / 4)) }
        let remoteOnly = (0..<9).map { key.event(30000, tags: [["d", "remote-\($0)"]], at: now - 50) }
        let localOnly = (0..<4).map { KeyPair.generate().event(.metadata, content: #"{"name":"\#($0)"}"#) }
        try await remote.publish(common + remoteOnly)
        try await local.publish(common + localOnly)

        // Options before the word `sync`, the Go original's -d.
        let result = try await ExternalCommand.built("purplepages").run(
            ["--config", local.config, "sync", "ws://127.0.0.1:\(remote.port)", "-d", "both", "--kinds", "0,3,30000"])
        #expect(result.status == 0, "\(result.output) \(result.errors)")
        #expect(result.output.contains("negentropy"), "\(result.output)")
        #expect(result.output.contains("need 9"), "\(result.output)")
        #expect(result.output.contains("have 4"), "\(result.output)")
        #expect(result.output.contains("9 stored"), "\(result.output)")
        #expect(result.output.contains("4 sent, 4 accepted"), "\(result.output)")

        // The running local relay serves what the sync wrote into its store.
        let everything = Set((common + remoteOnly + localOnly).map(\.id))
        #expect(try await local.ids() == everything)
        #expect(try await remote.ids() == everything)

        // Again: nothing left to move.
        let again = try await ExternalCommand.built("purplepages").run(
            ["sync", "ws://127.0.0.1:\(remote.port)", "--config", local.config, "--dir", "both", "-k", "0,3,30000"])
        #expect(again.status == 0, "\(again.errors)")
        #expect(again.output.contains("need 0") && again.output.contains("have 0"), "\(again.output)")

        for node in [local, remote] {
            try node.relay.signal(SIGTERM)
            #expect(try await node.relay.waitForExit(timeout: .seconds(10)) == 0)
        }
    }

    @Test func dryRunAndTheDefaultFilter() async throws {
        let directory = try TemporaryDirectory(prefix: "sync-command")
        let remote = try await Node(directory, "remote")
        defer { remote.relay.kill() }
        let profiles = (0..<5).map { KeyPair.generate().event(.metadata, content: #"{"name":"\#($0)"}"#) }
        try await remote.publish(profiles)
        let localConfig = directory.path + "/local.json"
        try Data(#"{"storage": {"path": "\#(directory.path)/local", "map_size_gb": 1}}"#.utf8)
            .write(to: URL(fileURLWithPath: localConfig))
        // An empty store: the default filter still covers profiles (the usual list kinds).
        try EventStore(configuration: .init(path: directory.path + "/local")).close()
        let dry = try await ExternalCommand.built("purplepages").run(
            ["sync", "ws://127.0.0.1:\(remote.port)", "--config", localConfig, "--dry-run"])
        #expect(dry.status == 0, "\(dry.errors)")
        #expect(dry.output.contains("need 5") && dry.output.contains("dry run"), "\(dry.output)")
        let real = try await ExternalCommand.built("purplepages").run(
            ["sync", "ws://127.0.0.1:\(remote.port)", "--config", localConfig])
        #expect(real.status == 0 && real.output.contains("5 stored"), "\(real.output) \(real.errors)")
    }

    @Test(arguments: [
        ["sync"],
        ["sync", "ws://127.0.0.1:1", "--dir", "sideways"],
        ["sync", "ws://127.0.0.1:1", "--filter", "{\"kinds\": \"zero\"}"],
        ["sync", "ws://127.0.0.1:1", "-k", "0,x"],
        ["sync", "ws://127.0.0.1:1", "--timeout", "0"],
        ["sync", "ws://127.0.0.1:1", "--auth-key-file", "/nonexistent/key"],
    ])
    func usageErrorsExitWithStatus2(_ arguments: [String]) async throws {
        let directory = try TemporaryDirectory(prefix: "sync-command")
        let config = directory.path + "/config.json"
        try Data(#"{"storage": {"path": "\#(directory.path)/store", "map_size_gb": 1}}"#.utf8)
            .write(to: URL(fileURLWithPath: config))
        let result = try await ExternalCommand.built("purplepages").run(arguments + ["--config", config])
        #expect(result.status == 2, "\(arguments): \(result.status) \(result.errors)")
        #expect(!result.errors.isEmpty)
    }

    @Test func anUnreachableRelayExitsWithStatus1() async throws {
        let directory = try TemporaryDirectory(prefix: "sync-command")
        let config = directory.path + "/config.json"
        try Data(#"{"storage": {"path": "\#(directory.path)/store", "map_size_gb": 1}}"#.utf8)
            .write(to: URL(fileURLWithPath: config))
        let port = try freePort()  // nothing listens there
        let result = try await ExternalCommand.built("purplepages").run(
            ["sync", "ws://127.0.0.1:\(port)", "--config", config])
        #expect(result.status == 1, "\(result.errors)")
        #expect(result.errors.contains("cannot connect to ws://127.0.0.1:\(port)"), "\(result.errors)")
    }
}
