// A child process for the event store's multi-process tests (Tests/LMDBStoreTests/MultiProcessTests.swift):
// a second process that writes to, or reads from, a store directory the test process also opens.
//
//   purplepages-store-probe write PATH SEED BATCHES BATCHSIZE
//       Saves BATCHES batches of BATCHSIZE signed kind-1 notes (deterministic from SEED), one
//       `saveAndWait` per batch; after each durable commit prints `committed <batch> <id>,<id>,...`.
//   purplepages-store-probe read PATH
//       Opens the store read-only; prints `count <n>`, then one event id per line (scan order).
//   purplepages-store-probe hold PATH SECONDS [TARGET]
//       Opens the store read-only; prints `ready`, then `count <n>` every 100 ms for SECONDS seconds,
//       or until the count reaches TARGET.
//
// Exit codes: 0 done, 1 store error, 2 no store at PATH (read-only modes), 64 bad arguments.

import Foundation
import LMDBStore
import NostrCore
import NostrCoreTesting

func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data("purplepages-store-probe: \(message)\n".utf8))
    exit(code)
}

func emit(_ line: String) {
    print(line)
    fflush(nil)  // every stream, i.e. stdout (Swift 6 rejects the global `stdout` as shared mutable state)
}

func openReadOnly(_ path: String) -> EventStore {
    do {
        return try EventStore(configuration: EventStoreConfiguration(path: path, mapSizeGB: 1, readOnly: true))
    } catch let error as StoreError {
        if case .missing = error { fail("\(error)", code: 2) }
        fail("\(error)", code: 1)
    } catch {
        fail("\(error)", code: 1)
    }
}

/// A key pair drawn from `generator`.
func keyPair(_ generator: inout SeededGenerator) -> KeyPair {
    while true {
        let raw = Bytes32(w0: generator.next(), w1: generator.next(), w2: generator.next(), w3: generator.next())
        if let secret = SecretKey(raw) { return KeyPair(secretKey: secret) }
    }
}

func write(path: String, seed: UInt64, batches: Int, batchSize: Int) throws {
    let store = try EventStore(configuration: EventStoreConfiguration(path: path, mapSizeGB: 1))
    defer { store.close() }
    var generator = SeededGenerator(seed: seed)
    let pair = keyPair(&generator)
    for batch in 0..<batches {
        let events = (0..<batchSize).map { index in
            let number = batch * batchSize + index
            return pair.sign(
                kind: 1, content: "probe \(seed) batch \(batch) note \(index)",
                createdAt: CorpusGenerator.baseTimestamp + Int64(number),
                auxiliaryRandom: Bytes32(w0: generator.next(), w1: generator.next(), w2: generator.next(), w3: 0))
        }
        let outcomes = try store.saveAndWait(events)
        guard outcomes.allSatisfy(\.isStored) else { fail("batch \(batch) not stored: \(outcomes)", code: 1) }
        emit("committed \(batch) " + events.map(\.id.hex).joined(separator: ","))
    }
}

func read(path: String) throws {
    let store = openReadOnly(path)
    emit("count \(try store.statistics().totalEvents)")
    try store.scanAll { stored in
        emit(try Event(json: stored.json).id.hex)
        return true
    }
}

func hold(path: String, seconds: Double, target: Int?) throws {
    let store = openReadOnly(path)
    emit("ready")
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        let count = try store.statistics().totalEvents
        emit("count \(count)")
        if let target, count >= target { return }
        usleep(100_000)
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
let usage = "usage: purplepages-store-probe write PATH SEED BATCHES BATCHSIZE | read PATH | hold PATH SECONDS [TARGET]"
do {
    switch (arguments.first, arguments.count) {
    case ("write", 5):
        guard let seed = UInt64(arguments[2]), let batches = Int(arguments[3]), let size = Int(arguments[4]),
            batches >= 0, size > 0
        else { fail(usage, code: 64) }
        try write(path: arguments[1], seed: seed, batches: batches, batchSize: size)
    case ("read", 2):
        try read(path: arguments[1])
    case ("hold", 3), ("hold", 4):
        guard let seconds = Double(arguments[2]) else { fail(usage, code: 64) }
        let target = arguments.count == 4 ? Int(arguments[3]) : nil
        if arguments.count == 4 && target == nil { fail(usage, code: 64) }
        try hold(path: arguments[1], seconds: seconds, target: target)
    default:
        fail(usage, code: 64)
    }
} catch {
    fail("\(error)", code: 1)
}
exit(0)
