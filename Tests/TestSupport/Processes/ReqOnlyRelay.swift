import Foundation
import NostrCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The interop tests' Python: the virtual environment `.venv-interop/` at the repository's root, which
/// `scripts/install-deps` builds with the packages pinned in `Tests/Interop/requirements.txt`
/// (rust-nostr's `nostr-sdk` bindings, `websockets`), and the scripts in `Tests/Interop/`.
public enum InteropPython {
    /// Set to a python executable to use it instead of the venv's.
    public static let overrideVariable = "PURPLEPAGES_INTEROP_PYTHON"

    /// The repository's root: the nearest directory above this source file that holds `Tests/Interop`.
    public static func repositoryRoot() throws -> String {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Tests/Interop").path) {
                return directory.path
            }
            directory.deleteLastPathComponent()
        }
        throw TestFailure("no Tests/Interop above \(#filePath)")
    }

    /// The venv's python (or `$PURPLEPAGES_INTEROP_PYTHON`); a missing one fails saying to run
    /// `scripts/install-deps`.
    public static func python() throws -> ExternalCommand {
        if let path = ProcessInfo.processInfo.environment[overrideVariable], !path.isEmpty {
            return .at(path)
        }
        let path = try repositoryRoot() + "/.venv-interop/bin/python"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestFailure(
                "no interop Python at \(path): run scripts/install-deps (make deps, make test), which builds "
                    + ".venv-interop with the packages pinned in Tests/Interop/requirements.txt")
        }
        return .at(path)
    }

    /// The path of the script `Tests/Interop/<name>`.
    public static func script(_ name: String) throws -> String {
        let path = try repositoryRoot() + "/Tests/Interop/" + name
        guard FileManager.default.fileExists(atPath: path) else { throw TestFailure("no interop script \(path)") }
        return path
    }

    /// Runs `Tests/Interop/<name>` with `arguments` under the venv's python and waits for it.
    public static func run(_ name: String, _ arguments: [String]) async throws -> CommandResult {
        try await python().run([try script(name)] + arguments)
    }

    /// Writes `events` to `path` as JSONL, each event's JSON exactly as it was received or signed.
    public static func writeJSONL(_ events: [Event], to path: String) throws {
        let text = events.map { $0.jsonString + "\n" }.joined()
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The non-empty lines of the file at `path` (none when it does not exist).
    public static func readLines(_ path: String) -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }
}

/// A relay that speaks only NIP-01 (REQ, EVENT, CLOSE) and no NIP-77 negentropy, for testing a sync
/// client's fallback to REQ paging: `Tests/Interop/req_only_relay.py`, run by the interop venv's
/// python as a process of its own on 127.0.0.1 and a port the kernel picks.
///
/// It serves the events it was started with and stores valid EVENTs (OK true, NIP-01 replaceable
/// semantics: only the newest per pubkey and kind, per d tag for 30000-39999). A REQ filter honours
/// ids, authors, kinds, since, until, limit and `#x` tags; matches go out newest first, ties on
/// `created_at` in ascending id order, and `limit` (capped by `maxLimit` when given, which is also
/// the limit of a filter without one) cuts exactly that order, then EOSE; the subscription stays
/// live until CLOSE. NEG-OPEN/NEG-MSG/NEG-CLOSE get what `negentropyReply` says, COUNT and anything
/// else a NOTICE. It greets connections with `["AUTH", challenge]` only when `authGreeting` (which
/// `NostrTestClient` needs); it never requires AUTH.
public final class ReqOnlyRelay: @unchecked Sendable {
    /// What the relay answers NIP-77 messages with.
    public enum NegentropyReply: String, Sendable {
        /// `["NOTICE", "ERROR: negentropy is not supported ..."]` for each, as a relay that does not
        /// know the message type answers.
        case notice
        /// `["NEG-ERR", id, "blocked: negentropy is not supported by this relay"]` for NEG-OPEN and
        /// NEG-MSG; NEG-CLOSE is ignored.
        case negErr = "neg-err"
        /// Nothing at all.
        case silent
    }

    /// `ws://127.0.0.1:<port>`.
    public let url: String
    /// The port it listens on.
    public let port: Int
    private let process: Process
    private let directory: TemporaryDirectory
    private let errorPath: String
    private let eventsOutPath: String

    private init(
        url: String, port: Int, process: Process, directory: TemporaryDirectory, errorPath: String,
        eventsOutPath: String
    ) {
        self.url = url
        self.port = port
        self.process = process
        self.directory = directory
        self.errorPath = errorPath
        self.eventsOutPath = eventsOutPath
    }

    /// Starts the relay holding `events` and waits (at most `timeout`) until it listens.
    public static func start(
        events: [Event] = [], negentropyReply: NegentropyReply = .notice, maxLimit: Int? = nil,
        authGreeting: Bool = false, timeout: Duration = .seconds(30)
    ) async throws -> ReqOnlyRelay {
        let python = try InteropPython.python()
        let script = try InteropPython.script("req_only_relay.py")
        let directory = try TemporaryDirectory(prefix: "req-only-relay")
        let eventsInPath = directory.path + "/events-in.jsonl"
        let eventsOutPath = directory.path + "/events-out.jsonl"
        let outputPath = directory.path + "/stdout"
        let errorPath = directory.path + "/stderr"
        try InteropPython.writeJSONL(events, to: eventsInPath)
        var arguments = [
            script, "--port", "0", "--events-in", eventsInPath, "--events-out", eventsOutPath,
            "--negentropy-reply", negentropyReply.rawValue,
        ]
        if let maxLimit { arguments += ["--max-limit", String(maxLimit)] }
        if authGreeting { arguments.append("--auth-greeting") }
        let process = try python.start(arguments, outputPath: outputPath, errorPath: errorPath)

        // It prints "ready ws://127.0.0.1:<port>" once listening.
        let deadline = ContinuousClock.now + timeout
        while true {
            let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            if let line = output.split(separator: "\n").first(where: { $0.hasPrefix("ready ") }),
                let url = line.split(separator: " ").last,
                let port = url.split(separator: ":").last.flatMap({ Int($0) })
            {
                return ReqOnlyRelay(
                    url: String(url), port: port, process: process, directory: directory, errorPath: errorPath,
                    eventsOutPath: eventsOutPath)
            }
            let errors = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
            guard process.isRunning else {
                process.waitUntilExit()
                throw TestFailure(
                    "req_only_relay.py exited (\(process.terminationStatus)) before listening; stderr:\n\(errors)")
            }
            guard ContinuousClock.now < deadline else {
                _ = kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                throw TestFailure("req_only_relay.py did not listen within \(timeout); stderr:\n\(errors)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    deinit {
        if process.isRunning {
            _ = kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Its standard error so far: one line per message received (`recv REQ <id> <filters>`,
    /// `recv EVENT <id>`, `recv NEG-OPEN <id>`, `recv CLOSE <id>`, `recv COUNT`, ...).
    public var log: String {
        (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
    }

    /// The type of each message received so far, in order ("REQ", "EVENT", "NEG-OPEN", ...).
    public var receivedMessageTypes: [String] {
        log.split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ")
            return words.count >= 2 && words[0] == "recv" ? String(words[1]) : nil
        }
    }

    /// Stops it (SIGTERM, waiting at most `timeout`) and returns the JSON of every event it held,
    /// one event per element, newest first (ties in ascending id order), each as it was received.
    public func stop(timeout: Duration = .seconds(10)) async throws -> [String] {
        if process.isRunning { _ = kill(process.processIdentifier, SIGTERM) }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                _ = kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                throw TestFailure("req_only_relay.py did not stop within \(timeout) of SIGTERM; stderr:\n\(log)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw TestFailure(
                "req_only_relay.py ended with status \(process.terminationStatus) "
                    + "(\(process.terminationReason == .exit ? "exit" : "signal")); stderr:\n\(log)")
        }
        return withExtendedLifetime(directory) { InteropPython.readLines(eventsOutPath) }
    }
}
