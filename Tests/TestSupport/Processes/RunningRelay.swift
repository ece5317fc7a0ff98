import Foundation
import NostrCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The built `purplepages` running as a process of its own (started in `logDirectory`, its standard
/// error going to `<logDirectory>/<name>.stderr`), for tests of start-up, signals and restarts.
public final class RunningRelay: @unchecked Sendable {
    /// The relay's process.
    public let process: Process
    /// Where its standard error goes.
    public let errorPath: String

    /// Starts `purplepages` with `arguments`.
    public init(arguments: [String], logDirectory: String, name: String) throws {
        errorPath = logDirectory + "/\(name).stderr"
        process = try ExternalCommand.built("purplepages").start(
            arguments, outputPath: nil, errorPath: errorPath, directory: logDirectory)
    }

    /// Everything the relay wrote to standard error so far.
    public var standardError: String {
        (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "<unreadable>"
    }

    /// Sends signal `number` (SIGTERM, ...); throws if the relay has exited already.
    public func signal(_ number: Int32) throws {
        guard process.isRunning else { throw TestFailure("purplepages already exited: \(standardError)") }
        guard sendSignal(process.processIdentifier, number) == 0 else {
            throw TestFailure("kill failed: errno \(errno)")
        }
    }

    /// SIGKILL, for cleaning up after a failure.
    public func kill() {
        if process.isRunning { _ = sendSignal(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Waits for the relay to exit and returns its exit status (a death by signal throws).
    public func waitForExit(timeout: Duration) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                throw TestFailure("purplepages did not exit within \(timeout); stderr: \(standardError)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        guard process.terminationReason == .exit else {
            throw TestFailure("purplepages died of signal \(process.terminationStatus); stderr: \(standardError)")
        }
        return process.terminationStatus
    }

    /// Polls NIP-11 until the relay answers on `port` (at most 15 s) and returns the document.
    public func waitForInformationDocument(port: Int) async throws -> JSONValue {
        let deadline = ContinuousClock.now + .seconds(15)
        while true {
            guard process.isRunning else {
                throw TestFailure(
                    "purplepages exited (\(process.terminationStatus)) before serving; stderr: \(standardError)")
            }
            if let answer = try? await httpGet(
                "http://127.0.0.1:\(port)/", accept: "application/nostr+json", timeout: 2),
                answer.status == 200
            {
                return try JSONValue.parse(Array(answer.body))
            }
            guard ContinuousClock.now < deadline else {
                throw TestFailure(
                    "purplepages did not answer NIP-11 on port \(port) within 15 s; stderr: \(standardError)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}

/// kill(2), under a name `RunningRelay.kill()` does not shadow.
private func sendSignal(_ pid: Int32, _ signal: Int32) -> Int32 { kill(pid, signal) }
