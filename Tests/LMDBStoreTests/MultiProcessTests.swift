import Foundation
import LMDBStore
import NostrCore
import NostrCoreTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The store shared between processes: this test process and `purplepages-store-probe` children
/// (Tests/StoreProbe) open the same directory, one writing and one reading, and a writer is killed
/// with SIGKILL mid-stream to check that every commit it reported survives.
@Suite("Event store across processes", .serialized)
struct MultiProcessTests {
    // MARK: Two processes

    @Test func readOnlyProbeSeesThisProcessWrites() async throws {
        let path = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try EventStore(configuration: EventStoreConfiguration(path: path, mapSizeGB: 1))
        defer { store.close() }
        let batchSize = 20
        let events = signedNotes(seed: 11, count: 12 * batchSize)
        let batches = stride(from: 0, to: events.count, by: batchSize).map { Array(events[$0..<$0 + batchSize]) }
        // A read-only open needs an existing store.
        #expect(try store.saveAndWait(batches[0]).allSatisfy { $0 == .stored })

        // The probe stops once it has seen every event (or after 50 s, which fails the test below).
        let hold = try ProbeProcess(["hold", path, "50", String(events.count)])
        defer { hold.terminate() }
        try await hold.waitFor("the hold probe to print ready") { $0.contains("ready") }
        for batch in batches.dropFirst() {
            #expect(try await store.save(batch).allSatisfy { $0 == .stored })
            try await Task.sleep(for: .milliseconds(40))
        }
        let holdExit = try await hold.waitForExit()
        #expect(holdExit.status == 0 && holdExit.reason == .exit, "hold probe: \(hold.diagnostics)")

        let counts = hold.lines.compactMap { $0.hasPrefix("count ") ? Int($0.dropFirst(6)) : nil }
        #expect(counts.count >= 2, "the hold probe printed \(counts.count) counts")
        #expect(counts == counts.sorted(), "counts went backwards: \(counts)")
        #expect(counts.allSatisfy { $0 % batchSize == 0 }, "a reader saw part of a transaction: \(counts)")
        #expect(counts.first ?? 0 >= batchSize)
        #expect(counts.last == events.count, "the hold probe never saw the final total: \(counts)")

        // A reader started afterwards (while this process still has the store open) sees exactly the ids written.
        let read = try ProbeProcess(["read", path])
        defer { read.terminate() }
        let readExit = try await read.waitForExit()
        #expect(readExit.status == 0, "read probe: \(read.diagnostics)")
        let lines = read.lines
        #expect(lines.first == "count \(events.count)")
        let listed = lines.dropFirst()
        #expect(listed.count == events.count)
        let expected = Set(events.map(\.id.hex))
        #expect(
            Set(listed) == expected,
            "\(expected.subtracting(listed).count) ids missing, \(Set(listed).subtracting(expected).count) unexpected")
    }

    @Test func thisProcessReadsWhileProbeWrites() async throws {
        let path = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let batches = 300
        let batchSize = 25
        let writer = try ProbeProcess(["write", path, "21", "\(batches)", "\(batchSize)"])
        defer { writer.terminate() }
        try await writer.waitFor("the first commit") { committedBatches($0).count >= 1 }

        let reader = try EventStore(configuration: EventStoreConfiguration(path: path, mapSizeGB: 1, readOnly: true))
        defer { reader.close() }
        await #expect(throws: StoreError.readOnly) { try await reader.save(signedNotes(seed: 1, count: 1)) }

        // While the probe writes: every id it reported committed is already visible here.
        var rounds = 0
        let deadline = ContinuousClock.now + .seconds(120)
        while writer.isRunning && ContinuousClock.now < deadline {
            let committed = committedBatches(writer.lines).flatMap { $0 }
            let total = try reader.statistics().totalEvents
            let found = try storedIDs(committed, in: reader)
            #expect(
                found.count == committed.count, "reported committed but not visible: \(committed.count - found.count)")
            #expect(total >= committed.count && total % batchSize == 0, "total \(total), reported \(committed.count)")
            rounds += 1
            try await Task.sleep(for: .milliseconds(20))
        }
        let exit = try await writer.waitForExit()
        #expect(exit.status == 0 && exit.reason == .exit, "write probe: \(writer.diagnostics)")
        try await writer.waitForOutputEnd()

        let committed = committedBatches(writer.lines)
        #expect(committed.count == batches)
        let ids = committed.flatMap { $0 }
        #expect(Set(ids).count == batches * batchSize)
        #expect(try storedIDs(ids, in: reader).count == ids.count)
        #expect(try reader.statistics().totalEvents == ids.count)
        #expect(try reader.count([Filter()]) == EventCount(count: ids.count, approximate: false))
        let scanned = try scanAndValidate(reader)
        #expect(scanned.count == ids.count)
        #expect(Set(scanned) == Set(ids), "\(Set(ids).subtracting(scanned).count) reported ids not in the scan")
        #expect(rounds >= 2, "the probe finished before this process could read alongside it (\(rounds) rounds)")
    }

    @Test func readOnlyOpenOfMissingStoreFails() async throws {
        let parent = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let absent = parent + "/absent"
        #expect(throws: StoreError.missing(path: absent)) {
            try EventStore(configuration: EventStoreConfiguration(path: absent, mapSizeGB: 1, readOnly: true))
        }
        #expect(!FileManager.default.fileExists(atPath: absent), "a read-only open created the directory")
        // An existing but empty directory is no store either.
        #expect(throws: StoreError.missing(path: parent)) {
            try EventStore(configuration: EventStoreConfiguration(path: parent, mapSizeGB: 1, readOnly: true))
        }
        #expect(!FileManager.default.fileExists(atPath: parent + "/data.mdb"))

        let read = try ProbeProcess(["read", absent])
        defer { read.terminate() }
        let exit = try await read.waitForExit()
        try await read.waitForOutputEnd()
        #expect(exit.status == 2 && exit.reason == .exit, "read probe: \(read.diagnostics)")
        #expect(read.lines.isEmpty)
        #expect(read.standardError.contains("no event store at \(absent)"), "stderr: \(read.standardError)")
    }

    // MARK: Crash safety

    @Test(arguments: [2, 5, 9])
    func committedBatchesSurviveSIGKILL(killAfter: Int) async throws {
        let path = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let batches = 1000  // ~3 s of durable commits; the kill comes long before the end
        let batchSize = 40
        let writer = try ProbeProcess(["write", path, "\(100 + killAfter)", "\(batches)", "\(batchSize)"])
        defer { writer.terminate() }
        try await writer.waitFor("\(killAfter) commits") { committedBatches($0).count >= killAfter }
        let wasRunning = writer.isRunning
        kill(writer.processIdentifier, SIGKILL)
        let exit = try await writer.waitForExit()
        try await writer.waitForOutputEnd()
        #expect(wasRunning, "the probe finished before the kill: \(writer.diagnostics)")
        #expect(exit.reason == .uncaughtSignal && exit.status == SIGKILL)

        let committed = committedBatches(writer.lines)
        #expect(committed.count >= killAfter && committed.count < batches)
        let ids = committed.flatMap { $0 }

        let store = try EventStore(configuration: EventStoreConfiguration(path: path, mapSizeGB: 1))
        defer { store.close() }
        #expect(try storedIDs(ids, in: store).count == ids.count, "commits reported before the kill are missing")
        let total = try store.statistics().totalEvents
        let scanned = try scanAndValidate(store)
        #expect(total == scanned.count)
        #expect(Set(scanned).count == scanned.count, "the scan listed an event twice")
        #expect(
            Set(ids).subtracting(scanned).isEmpty, "\(Set(ids).subtracting(scanned).count) reported ids not in the scan"
        )
        #expect(try store.count([Filter()]) == EventCount(count: total, approximate: false))
        // At most one batch committed after its line was printed: the kill came between commit and print.
        #expect(total == ids.count || total == ids.count + batchSize, "total \(total), reported \(ids.count)")

        // The store takes new writes after the crash.
        let fresh = signedNotes(seed: 5000 + UInt64(killAfter), count: 30)
        #expect(try await store.save(fresh).allSatisfy { $0 == .stored })
        #expect(try storedIDs(fresh.map(\.id.hex), in: store).count == fresh.count)
        #expect(try store.statistics().totalEvents == total + fresh.count)
        #expect(try scanAndValidate(store).count == total + fresh.count)
    }
}

// MARK: Helpers

/// The ids of each `committed <batch> <id>,<id>,...` line, in batch order (checked to be 0, 1, 2, ...).
private func committedBatches(_ lines: [String]) -> [[String]] {
    var batches: [[String]] = []
    for line in lines where line.hasPrefix("committed ") {
        let fields = line.split(separator: " ")
        guard fields.count == 3, Int(fields[1]) == batches.count else {
            Issue.record("unexpected probe line after \(batches.count) batches: \(line.prefix(120))")
            return batches
        }
        batches.append(fields[2].split(separator: ",").map(String.init))
    }
    return batches
}

/// Which of `ids` (hex) `store` finds with `queryEvents` by id.
private func storedIDs(_ ids: [String], in store: EventStore) throws -> Set<String> {
    var found = Set<String>()
    for start in stride(from: 0, to: ids.count, by: 500) {
        let chunk = ids[start..<min(start + 500, ids.count)].map { hex in
            guard let id = EventID(hex: hex) else {
                Issue.record("the probe printed a malformed id: \(hex)")
                return EventID(Bytes32(w0: 0, w1: 0, w2: 0, w3: 0))
            }
            return id
        }
        found.formUnion(try store.queryEvents([Filter(ids: chunk, limit: chunk.count)]).map(\.id.hex))
    }
    return found
}

/// Every stored event's id (hex) in scan order, after checking each parses and validates.
private func scanAndValidate(_ store: EventStore) throws -> [String] {
    var ids: [String] = []
    try store.scanAll { stored in
        let event = try Event(json: stored.json)
        try event.validate()
        ids.append(event.id.hex)
        return true
    }
    return ids
}

private func makeTemporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("purplepages-multiprocess-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Why waiting on a probe failed.
private struct ProbeError: Error, CustomStringConvertible {
    var description: String
}

/// A running `purplepages-store-probe`, its stdout collected line by line and its stderr kept.
/// Every wait is bounded; `terminate()` SIGKILLs it if it is still running.
private final class ProbeProcess: @unchecked Sendable {
    static let executableName = "purplepages-store-probe"

    private let process = Process()
    private let output = Pipe()
    private let errors = Pipe()
    private let lock = NSLock()
    // Guarded by `lock`.
    private var collected: [String] = []
    private var partial: [UInt8] = []
    private var errorBytes: [UInt8] = []
    private var openStreams = 2

    init(_ arguments: [String]) throws {
        process.executableURL = try ProbeProcess.locate()
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let outputFD = output.fileHandleForReading.fileDescriptor
        let errorFD = errors.fileHandleForReading.fileDescriptor
        Thread.detachNewThread { [self] in drain(outputFD, isOutput: true) }
        Thread.detachNewThread { [self] in drain(errorFD, isOutput: false) }
    }

    var processIdentifier: pid_t { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    /// Complete stdout lines so far.
    var lines: [String] { lock.withLock { collected } }
    var standardError: String { lock.withLock { String(decoding: errorBytes, as: UTF8.self) } }
    var diagnostics: String {
        let lines = self.lines
        let tail = lines.suffix(3).map { String($0.prefix(100)) }
        return "\(process.arguments ?? []); \(lines.count) lines, last \(tail); stderr: \(standardError)"
    }

    /// Waits until `predicate` holds for the stdout lines; throws after `timeout`.
    @discardableResult
    func waitFor(
        _ what: String, timeout: Duration = .seconds(60), until predicate: ([String]) -> Bool
    ) async throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let snapshot = lines
            if predicate(snapshot) { return snapshot }
            if !isRunning && outputEnded {
                throw ProbeError(description: "probe exited before \(what): \(diagnostics)")
            }
            if ContinuousClock.now >= deadline {
                throw ProbeError(description: "timed out after \(timeout) waiting for \(what): \(diagnostics)")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Waits for the process to end; its exit status (or signal) and why.
    func waitForExit(
        timeout: Duration = .seconds(60)
    ) async throws -> (status: Int32, reason: Process.TerminationReason) {
        let deadline = ContinuousClock.now + timeout
        while isRunning {
            if ContinuousClock.now >= deadline {
                throw ProbeError(description: "timed out after \(timeout) waiting for exit: \(diagnostics)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return (process.terminationStatus, process.terminationReason)
    }

    /// Waits until stdout and stderr reached end of file, so `lines` holds everything printed.
    func waitForOutputEnd(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !outputEnded {
            if ContinuousClock.now >= deadline {
                throw ProbeError(description: "timed out waiting for the end of the output: \(diagnostics)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Kills the probe if it still runs and reaps it.
    func terminate() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    private var outputEnded: Bool { lock.withLock { openStreams == 0 } }

    private func drain(_ descriptor: Int32, isOutput: Bool) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            lock.withLock {
                if count <= 0 {
                    openStreams -= 1
                } else if isOutput {
                    partial.append(contentsOf: buffer[0..<count])
                    while let newline = partial.firstIndex(of: UInt8(ascii: "\n")) {
                        collected.append(String(decoding: partial[..<newline], as: UTF8.self))
                        partial.removeSubrange(...newline)
                    }
                } else {
                    errorBytes.append(contentsOf: buffer[0..<count])
                }
            }
            if count <= 0 { return }
        }
    }

    /// The probe next to the test bundle, or in `.build/debug` of the package this file is in.
    private static func locate(filePath: String = #filePath) throws -> URL {
        var candidates: [URL] = []
        if let executable = Bundle.main.executableURL {
            candidates.append(executable.deletingLastPathComponent().appendingPathComponent(executableName))
        }
        candidates.append(
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
                .appendingPathComponent(executableName))
        var directory = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                candidates.append(directory.appendingPathComponent(".build/debug/\(executableName)"))
                break
            }
            directory = directory.deletingLastPathComponent()
        }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) {
            return found
        }
        throw ProbeError(
            description: "\(executableName) is not built (looked at \(candidates.map(\.path))); "
                + "run `swift build --build-tests` first")
    }
}
