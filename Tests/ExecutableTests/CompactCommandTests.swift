import Foundation
import LMDBStore
import NostrCore
import PurplePagesTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `purplepages compact` beside a running relay: the copy opens as a store and holds every event.
@Suite("purplepages compact as a process", .serialized)
struct CompactCommandTests {
    @Test func compactsALiveStore() async throws {
        let directory = try TemporaryDirectory(prefix: "compact")
        let config = directory.path + "/config.json"
        let text = #"{"storage": {"path": "\#(directory.path)/store", "map_size_gb": 1}}"#
        try Data(text.utf8).write(to: URL(fileURLWithPath: config))
        let port = try freePort()
        let relay = try RunningRelay(
            arguments: ["--config", config, "--port", String(port)], logDirectory: directory.path, name: "relay")
        defer { relay.kill() }
        _ = try await relay.waitForInformationDocument(port: port)
        let client = try await NostrTestClient.connect(port: port)
        var published: [Event] = []
        for index in 0..<30 {
            let event = KeyPair.generate().event(.metadata, content: #"{"name":"user \#(index)"}"#)
            #expect(try await client.publish(event).accepted)
            published.append(event)
        }

        let output = directory.path + "/copy"
        let compact = try await ExternalCommand.built("purplepages").run(
            ["compact", "--config", config, "--output", output])
        #expect(compact.status == 0, "\(compact.errors)")
        #expect(compact.output.contains("\(published.count) events"), "\(compact.output)")
        #expect(compact.output.contains("to use it: stop the relay"), "the swap procedure is said")

        // The relay kept running and taking events while and after the copy was made.
        #expect(try await client.publish(KeyPair.generate().event(.metadata, content: "{}")).accepted)
        await client.close()

        let copy = try EventStore(configuration: .init(path: output, readOnly: true))
        defer { copy.close() }
        var ids: Set<String> = []
        try copy.scanAll { stored in
            ids.insert(try Event(json: Array(stored.json)).id.hex)
            return true
        }
        #expect(ids == Set(published.map(\.id.hex)))

        // A second copy into the same directory is refused, not written over.
        let again = try await ExternalCommand.built("purplepages").run(
            ["compact", "--config", config, "--output", output])
        #expect(again.status == 1)
        #expect(again.errors.contains("already holds a store"), "\(again.errors)")

        try relay.signal(SIGTERM)
        #expect(try await relay.waitForExit(timeout: .seconds(10)) == 0)
    }

    @Test func aMissingStoreIsSaid() async throws {
        let directory = try TemporaryDirectory(prefix: "compact")
        let config = directory.path + "/config.json"
        try Data(#"{"storage": {"path": "\#(directory.path)/none"}}"#.utf8).write(to: URL(fileURLWithPath: config))
        let result = try await ExternalCommand.built("purplepages").run(["compact", "--config", config])
        #expect(result.status == 1)
        #expect(result.errors.contains("no event store at \(directory.path)/none"), "\(result.errors)")
    }
}
