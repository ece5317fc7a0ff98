import LMDBStore
import LMDBStoreTesting
import NostrClient
import NostrCore
import PurplePagesTestSupport
import RelaySync
import Testing

/// Remotes that misbehave (scripted WebSocket servers): every sync ends with a summary saying what
/// happened and a store holding exactly what it held plus whole, valid, asked-for events.
@Suite("Sync against misbehaving remotes")
struct HostileRemoteTests {
    let key = KeyPair.generate()

    /// The hex of `bytes`.
    static func hex(_ bytes: [UInt8]) -> String { bytes.withUnsafeBytes { Hex.encode($0) } }

    /// Answers NEG-OPEN as a correct negentropy responder over `events` would, in one round.
    static func answerNegentropy(_ connection: ScriptedConnection, over events: [Event]) async throws -> Bool {
        guard let text = try await connection.next(),
            case .negentropyOpen(let id, _, let message) = try ClientMessage.parse(text)
        else { return false }
        let items = events.map { NegentropyItem(createdAt: UInt64($0.createdAt), id: $0.id) }.sorted()
        var responder = try NegentropyResponder(storage: NegentropyStorage(items))
        let reply = try responder.reconcile(message)
        try await connection.send(#"["NEG-MSG","\#(id)","\#(hex(reply))"]"#)
        return true
    }

    func sync(_ store: EventStore, _ remote: ScriptedRelay, timeout: Duration = .seconds(5)) async throws -> SyncSummary
    {
        var options = SyncOptions(filter: Filter())
        options.responseTimeout = timeout
        options.negentropyTimeout = timeout
        let client = try await RelayClient.connect(to: remote.url)
        let summary = await StoreSynchronizer(store: store, options: options).run(with: client)
        await client.close()
        return summary
    }

    @Test func aMalformedNegentropyMessageEndsTheSync() async throws {
        let local = try TemporaryStore()
        let mine = SyncFixtures.lists(key, 0..<5)
        _ = try await local.store.save(mine)
        let remote = try await ScriptedRelay.start { connection in
            guard let text = try await connection.next(),
                case .negentropyOpen(let id, _, _) = try ClientMessage.parse(text)
            else { return }
            // Version 1, then an id-list range whose count varint never ends.
            try await connection.send(#"["NEG-MSG","\#(id)","6100028fff"]"#)
            while try await connection.next() != nil {}
        }
        let summary = try await sync(local.store, remote)
        await remote.stop()
        guard case .protocolViolation(let text) = summary.error else {
            Issue.record("expected a protocol violation, got \(String(describing: summary.error))")
            return
        }
        #expect(text.contains("NEG-MSG"))
        #expect(summary.lines.contains { $0.hasPrefix("  stopped: the remote broke the protocol") })
        #expect(try SyncFixtures.ids(local.store) == Set(mine.map(\.id)))
    }

    @Test func aRemoteClosingWhileSendingEventsLeavesTheStoreWhole() async throws {
        let local = try TemporaryStore()
        let theirs = SyncFixtures.lists(key, 0..<10)
        let remote = try await ScriptedRelay.start { connection in
            guard try await Self.answerNegentropy(connection, over: theirs) else { return }
            // NEG-CLOSE, then the REQ for the ids: two events, and the connection ends.
            while let text = try await connection.next() {
                guard case .request = try ClientMessage.parse(text) else { continue }
                for event in theirs.prefix(2) {
                    try await connection.send(#"["EVENT","purplepages-fetch-0",\#(event.jsonString)]"#)
                }
                return
            }
        }
        let summary = try await sync(local.store, remote)
        await remote.stop()
        #expect(summary.need == 10)
        guard case .connectionLost = summary.error else {
            Issue.record("expected a lost connection, got \(String(describing: summary.error))")
            return
        }
        #expect(summary.received == 2)
        // Nothing of the unfinished batch was saved; the store is as it was.
        #expect(try SyncFixtures.ids(local.store).isEmpty)
    }

    @Test func silenceAfterTheFirstRoundIsALostConnection() async throws {
        let local = try TemporaryStore()
        _ = try await local.store.save(SyncFixtures.lists(key, 0..<3000))  // more than one frame
        let remote = try await ScriptedRelay.start { connection in
            guard let text = try await connection.next(),
                case .negentropyOpen(let id, _, let message) = try ClientMessage.parse(text)
            else { return }
            // A large set of its own, so the first answer splits ranges and a second round is due.
            var random = SystemRandomNumberGenerator()
            let items = (0..<3000).map { index in
                NegentropyItem(
                    createdAt: UInt64(SyncFixtures.base) + UInt64(index),
                    id: EventID(Bytes32(w0: random.next(), w1: random.next(), w2: random.next(), w3: random.next())))
            }
            var responder = try NegentropyResponder(storage: NegentropyStorage(items.sorted()), frameSizeLimit: 4096)
            try await connection.send(#"["NEG-MSG","\#(id)","\#(Self.hex(try responder.reconcile(message)))"]"#)
            while try await connection.next() != nil {}  // and never a word again
        }
        var options = SyncOptions(filter: Filter())
        options.responseTimeout = .milliseconds(500)
        options.frameSizeLimit = 4096
        let client = try await RelayClient.connect(to: remote.url)
        let summary = await StoreSynchronizer(store: local.store, options: options).run(with: client)
        await client.close()
        await remote.stop()
        #expect(summary.rounds == 1)
        #expect(summary.error == .connectionLost("no NEG-MSG within 0.5 s"))
    }

    @Test func aNoticeInsteadOfNegentropyFallsBackToPaging() async throws {
        let local = try TemporaryStore()
        let theirs = SyncFixtures.lists(key, 0..<4)
        let remote = try await ScriptedRelay.start { connection in
            while let text = try await connection.next() {
                switch try ClientMessage.parse(text) {
                case .negentropyOpen:
                    try await connection.send(#"["NOTICE","ERROR: bad msg: unknown cmd"]"#)
                case .request(let id, let filters):
                    // One page with everything; `until` paging then finds nothing older.
                    for event in theirs where filters[0].matches(event) {
                        try await connection.send(#"["EVENT","\#(id)",\#(event.jsonString)]"#)
                    }
                    try await connection.send(#"["EOSE","\#(id)"]"#)
                default:
                    continue
                }
            }
        }
        let summary = try await sync(local.store, remote)
        await remote.stop()
        #expect(summary.error == nil)
        #expect(summary.method == .requestPaging)
        #expect(summary.fallbackReason == "NOTICE \"ERROR: bad msg: unknown cmd\"")
        #expect(summary.stored == 4)
        #expect(try SyncFixtures.ids(local.store) == Set(theirs.map(\.id)))
    }
}
