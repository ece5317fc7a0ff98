import Foundation
import LMDBStore
import NostrCore
import PurplePagesTestSupport
import Testing

/// `purplepages sync` (the built executable) against a relay we did not build that speaks only
/// NIP-01 (Tests/Interop/req_only_relay.py): whatever it answers NEG-OPEN with, the sync falls back
/// to REQ paging and both sides end equal, though many events share each second and the relay caps
/// `limit` far below the sync's page size.
@Suite("purplepages sync against a REQ-only relay", .serialized)
struct PurplePagesSyncFallbackTests {
    @Test(arguments: [ReqOnlyRelay.NegentropyReply.notice, .negErr, .silent])
    func fallsBackToPagingAndEndsEqual(_ reply: ReqOnlyRelay.NegentropyReply) async throws {
        let directory = try TemporaryDirectory(prefix: "sync-fallback")
        let base = unixNow - 7200
        // 240 lists by one author, seven to a second, and 5 profiles only the local store holds.
        let author = KeyPair.generate()
        let lists = (0..<240).map { author.event(30000, tags: [["d", "list-\($0)"]], at: base + Int64($0 / 7)) }
        let localOnly = (0..<5).map { KeyPair.generate().event(.metadata, content: #"{"name":"\#($0)"}"#) }
        let relay = try await ReqOnlyRelay.start(events: lists, negentropyReply: reply, maxLimit: 50)

        let storePath = directory.path + "/store"
        let store = try EventStore(configuration: .init(path: storePath))
        _ = try await store.save(Array(lists.prefix(40)) + localOnly)
        store.close()
        let config = directory.path + "/config.json"
        try Data(#"{"storage": {"path": "\#(storePath)", "map_size_gb": 1}}"#.utf8)
            .write(to: URL(fileURLWithPath: config))

        let result = try await ExternalCommand.built("purplepages").run(
            ["sync", relay.url, "--config", config, "--dir", "both", "--kinds", "0,30000", "--timeout", "2"])
        let held = try await relay.stop()
        #expect(result.status == 0, "\(result.output) \(result.errors)")
        #expect(result.output.contains("REQ paging"), "\(result.output)")
        #expect(result.output.contains("negentropy not used"), "\(result.output)")
        #expect(result.output.contains("need 200") && result.output.contains("have 5"), "\(result.output)")
        #expect(!result.output.contains("may be missing"), "\(result.output)")

        let everything = Set((lists + localOnly).map(\.id))
        let local = try EventStore(configuration: .init(path: storePath, readOnly: true))
        defer { local.close() }
        #expect(Set(try local.negentropyItems(Filter()).map(\.id)) == everything)
        #expect(Set(try held.map { try Event(json: Array($0.utf8)).id }) == everything)
    }
}
