import ArgumentParser
import CommandLineSupport
import Dispatch
import Foundation
import NostrCore
import NostrCoreTesting
import Synchronization

// MARK: - Processes

/// The children to stop if the benchmark is interrupted (SIGINT, SIGTERM).
enum ChildProcesses {
    /// The running children, and whether a signal came (then children started later stop at once).
    static let state = Mutex<(running: Set<Int32>, interrupted: Bool)>(([], false))
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    /// On SIGINT or SIGTERM: SIGTERM to every running child, wait up to 10 s for them, remove
    /// `directory` and exit.
    static func stopOnSignals(removing directory: String) {
        sources = [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                let pids = state.withLock { state in
                    state.interrupted = true
                    return state.running
                }
                for pid in pids { kill(pid, SIGTERM) }
                for _ in 0..<200 where pids.contains(where: { kill($0, 0) == 0 }) { usleep(50_000) }
                try? FileManager.default.removeItem(atPath: directory)
                print("purplepages-bench: interrupted; stopped \(pids.count) child process(es)")
                exit(128 + signalNumber)
            }
            source.resume()
            return source
        }
    }

    /// Records a child; false if the benchmark is being interrupted (the caller stops it).
    static func register(_ pid: Int32) -> Bool {
        state.withLock { state in
            state.running.insert(pid)
            return !state.interrupted
        }
    }

    static func unregister(_ pid: Int32) {
        state.withLock { _ = $0.running.remove(pid) }
    }
}

/// A process the benchmark started, its output written to a log file or echoed line by line.
final class ChildProcess: @unchecked Sendable {
    let pid: Int32
    private let process: Process
    private let exitState: ExitState
    private let output: OutputLines?

    /// Starts `executable`; with `log`, its output goes there, otherwise each line is printed after `echoPrefix`.
    init(executable: String, arguments: [String], log: String? = nil, echoPrefix: String = "") throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        var pipe: Pipe?
        if let log {
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = handle
            process.standardError = handle
        } else {
            pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
        }
        let exit = ExitState()
        process.terminationHandler = { _ in exit.set() }
        try process.run()
        self.process = process
        exitState = exit
        pid = process.processIdentifier
        output = pipe.map { OutputLines(reading: $0.fileHandleForReading, prefix: echoPrefix) }
        if !ChildProcesses.register(pid) { kill(pid, SIGTERM) }
    }

    var hasExited: Bool { exitState.exitedAt != nil }

    /// Waits for the exit; returns the seconds since the start.
    func waitForExit() -> Double {
        exitState.wait()
        return exitState.secondsRunning
    }

    /// Whether it exited with status 0.
    var exitedNormally: Bool {
        hasExited && process.terminationReason == .exit && process.terminationStatus == 0
    }

    var exitDescription: String {
        guard hasExited else { return "running" }
        return process.terminationReason == .exit
            ? "exit status \(process.terminationStatus)" : "killed by signal \(process.terminationStatus)"
    }

    /// Every line of output so far (echoed processes only).
    var lines: [String] { output?.lines ?? [] }

    /// Waits (at most 5 s) until the output has been read to its end.
    func waitForOutput() { output?.waitForEnd() }

    /// SIGTERM, then SIGKILL if it has not exited within 10 s.
    func stop() {
        if !hasExited {
            kill(pid, SIGTERM)
            for _ in 0..<200 where !hasExited { usleep(50_000) }
            if !hasExited { kill(pid, SIGKILL) }
            process.waitUntilExit()
        }
        ChildProcesses.unregister(pid)
    }
}

/// When a child process exited.
final class ExitState: Sendable {
    private let started = ContinuousClock.now
    private let exited = Mutex<ContinuousClock.Instant?>(nil)
    private let signal = DispatchSemaphore(value: 0)

    func set() {
        exited.withLock { $0 = .now }
        signal.signal()
    }

    var exitedAt: ContinuousClock.Instant? { exited.withLock { $0 } }

    func wait() {
        signal.wait()
        signal.signal()
    }

    var secondsRunning: Double { seconds((exitedAt ?? .now) - started) }
}

/// Reads a pipe on a thread of its own, printing and keeping each line.
final class OutputLines: Sendable {
    private let kept = Mutex<[String]>([])
    private let ended = DispatchSemaphore(value: 0)

    init(reading handle: FileHandle, prefix: String) {
        Thread.detachNewThread { [self] in
            var buffer = Data()
            func emit(_ bytes: Data) {
                let line = String(decoding: bytes, as: UTF8.self)
                print(prefix + line)
                fflush(nil)
                self.kept.withLock { $0.append(line) }
            }
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    emit(buffer[buffer.startIndex..<newline])
                    buffer = buffer[buffer.index(after: newline)...]
                }
            }
            if !buffer.isEmpty { emit(buffer) }
            self.ended.signal()
        }
    }

    var lines: [String] { kept.withLock { $0 } }

    func waitForEnd() { _ = ended.wait(timeout: .now() + 5) }
}

/// Samples a process's memory from /proc/PID/status every 100 ms, on a thread of its own.
final class MemoryMonitor: Sendable {
    /// The largest values seen, in KiB.
    struct Peaks: Sendable {
        var highWaterKiB = 0
        var residentKiB = 0
        var anonymousKiB = 0
        var fileKiB = 0
        var samples = 0
    }

    private let peaks = Mutex(Peaks())
    private let stopping = Mutex(false)
    private let stopped = DispatchSemaphore(value: 0)

    init(pid: Int32) {
        Thread.detachNewThread { [self] in
            while !self.stopping.withLock({ $0 }) {
                // nil once the process has exited (a zombie has no memory fields left).
                if let memory = ProcessMemory.read(pid: pid) {
                    self.peaks.withLock { peaks in
                        peaks.samples += 1
                        peaks.highWaterKiB = max(peaks.highWaterKiB, memory.peakResidentKiB)
                        peaks.residentKiB = max(peaks.residentKiB, memory.residentKiB)
                        peaks.anonymousKiB = max(peaks.anonymousKiB, memory.anonymousKiB)
                        peaks.fileKiB = max(peaks.fileKiB, memory.fileKiB)
                    }
                }
                usleep(100_000)
            }
            self.stopped.signal()
        }
    }

    /// Stops sampling; the peaks seen.
    func stop() -> Peaks {
        stopping.withLock { $0 = true }
        stopped.wait()
        return peaks.withLock { $0 }
    }
}
