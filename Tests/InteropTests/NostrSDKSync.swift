import Foundation
import NostrCore
import PurplePagesTestSupport

/// rust-nostr's NIP-77 sync (`Client.sync` of the `nostr-sdk` Python bindings) run against a relay by
/// `Tests/Interop/nostr_sdk_sync.py`, with the SDK's database starting from given events.
enum NostrSDKSync {
    /// Which way events go (the SDK's `SyncDirection`).
    enum Direction: String, Sendable {
        /// Relay to SDK.
        case down
        /// SDK to relay.
        case up
        /// Both ways.
        case both
    }

    /// Runs one sync of the SDK, starting with `events` in its database, with the relay at `url`
    /// over `filter` (JSON); `initialTimeout` is how long the SDK waits for the first negentropy answer.
    static func run(
        relay url: String, direction: Direction, filter: String, events: [Event], initialTimeout: Int = 10,
        dryRun: Bool = false
    ) async throws -> Outcome {
        let directory = try TemporaryDirectory(prefix: "nostr-sdk-sync")
        let eventsIn = directory.path + "/events-in.jsonl"
        let eventsOut = directory.path + "/events-out.jsonl"
        try InteropPython.writeJSONL(events, to: eventsIn)
        var arguments = [
            "--relay", url, "--direction", direction.rawValue, "--filter", filter, "--events-in", eventsIn,
            "--events-out", eventsOut, "--initial-timeout", String(initialTimeout),
        ]
        if dryRun { arguments.append("--dry-run") }
        let result = try await InteropPython.run("nostr_sdk_sync.py", arguments)
        let summaryLine = result.output.split(separator: "\n").last.map(String.init)
        let summary = try summaryLine.map { try JSONValue.parse($0) }
        let held = try InteropPython.readLines(eventsOut).map { try Event(json: $0) }
        return Outcome(status: result.status, errors: result.errors, summary: summary, events: held)
    }

    /// What one run did.
    struct Outcome: Sendable {
        /// The script's exit status: 0 when the sync succeeded and every event to send was sent.
        var status: Int32
        /// Its standard error (the SDK's error message on a failure).
        var errors: String
        /// Its one-line JSON summary (nil when the run ended before the sync returned).
        var summary: JSONValue?
        /// Every event the SDK's database held afterwards.
        var events: [Event]

        /// The ids (hex) the summary lists under `key`: "local" (only the SDK had them), "remote"
        /// (only the relay had them), "sent", "received".
        func ids(_ key: String) -> Set<String> {
            guard case .array(let values)? = summary?[key] else { return [] }
            return Set(values.compactMap(\.stringValue))
        }

        /// The ids (hex) of the SDK's events afterwards.
        var eventIDs: Set<String> { Set(events.map(\.id.hex)) }

        /// Everything there is to say about a failed run.
        var failure: String {
            "nostr_sdk_sync.py exited \(status); summary: \(summary?.jsonString ?? "none"); stderr:\n\(errors)"
        }
    }
}

/// The ids (hex) of `events`.
func ids(_ events: some Sequence<Event>) -> Set<String> {
    Set(events.map(\.id.hex))
}
