import ArgumentParser
import CommandLineSupport
import Foundation
import LMDBStore
import NostrClient
import NostrCore
import PurplePagesConfiguration
import RelaySync

/// `purplepages sync URL [--filter JSON] [--dir down|up|both] [--dry-run]`: strfry's sync.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract:
            "Reconcile the event store with another relay (NIP-77 negentropy, or REQ paging) and move the difference.",
        discussion: """
            Downloads what the store lacks (--dir down, the default), uploads what the remote lacks (up), or \
            both. Downloaded events are checked (id, signature, allowed kinds and sizes) and saved through the \
            store's rules (replaceable versions, deletions, expiration); it may run while the relay runs. \
            Without --filter or --kinds, the filter is every kind the store holds plus the usual list kinds. \
            A remote without NIP-77 is read by REQ paging instead. Exit status: 0 ok, 1 failure (the summary \
            says what was done), 2 usage or configuration error.
            """)

    @OptionGroup var configurationFile: ConfigurationFileOption

    @Argument(help: "The relay, ws:// or wss:// (wss:// is assumed without a scheme).")
    var url: String

    @Option(help: "A NIP-01 filter as JSON (its limit is ignored).")
    var filter: String?

    @Option(
        name: [.customShort("k"), .customLong("kinds")],
        help: "Kinds to sync, comma-separated (replaces the filter's kinds; the Go original's -k).")
    var kinds: String?

    @Option(name: [.customShort("d"), .customLong("dir")], help: "down, up or both.")
    var direction: String = "down"

    @Flag(help: "Reconcile and report what would move, without moving anything.")
    var dryRun = false

    @Flag(help: "Skip negentropy and page with REQ (for relays whose NIP-77 misbehaves).")
    var requestPaging = false

    @Option(help: "Seconds the remote may stay silent while an answer is due.")
    var timeout: Int = 30

    @Option(help: "A file holding a secret key (hex or nsec) to answer the remote's NIP-42 AUTH with.")
    var authKeyFile: String?

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = try logging.bootstrap(label: "purplepages")
        let configuration = try configurationFile.load(tool: "purplepages")
        for warning in configuration.warnings { logger.warning("\(warning)") }
        guard let direction = SyncDirection(rawValue: direction) else {
            throw ValidationError("--dir must be down, up or both, not \"\(self.direction)\"")
        }
        guard timeout > 0 else { throw ValidationError("--timeout must be at least 1 second") }
        let remote = SyncDefaults.relayURL(url)
        let store: EventStore
        do {
            store = try EventStore(configuration: configuration.eventStore(readOnly: dryRun))
        } catch {
            standardError("purplepages sync: cannot open the store at \(configuration.storage.path): \(error)\n")
            throw ExitCode(1)
        }
        defer { store.close() }
        let policy = EventPolicy(configuration)
        var options = SyncOptions(filter: try syncFilter(store: store, policy: policy))
        options.direction = direction
        options.dryRun = dryRun
        options.forceRequestPaging = requestPaging
        options.responseTimeout = .seconds(timeout)
        options.negentropyTimeout = .seconds(min(timeout, 15))

        var client = RelayClientConfiguration()
        client.authenticationKey = try authKeyFile.map(Self.secretKey(file:))
        client.maxMessageBytes = max(client.maxMessageBytes, 4 * options.frameSizeLimit)
        client.idleTimeout = .seconds(max(timeout * 2, 60))
        client.eventCheck = { event in policy.rejection(ofFetched: event, now: Int64(Date().timeIntervalSince1970)) }
        let connection: RelayClient
        do {
            connection = try await RelayClient.connect(to: remote, configuration: client, logger: logger)
        } catch {
            standardError("purplepages sync: cannot connect to \(remote): \(error)\n")
            throw ExitCode(1)
        }
        let progress = SyncProgress(isTerminal: isatty(STDERR_FILENO) == 1) { standardError($0) }
        let summary = await StoreSynchronizer(store: store, options: options, logger: logger) {
            progress.update($0)
        }.run(with: connection)
        progress.finish()
        await connection.close()
        print(summary.lines.joined(separator: "\n"))
        if summary.error != nil { throw ExitCode(1) }
    }

    /// The secret key in `file` (64 hex digits or an nsec, surrounding whitespace ignored).
    private static func secretKey(file: String) throws -> SecretKey {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw ValidationError("--auth-key-file: cannot read \(file)")
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let key = SecretKey(hex: trimmed) { return key }
        if case .nsec(let key)? = try? NIP19.decode(trimmed) { return key }
        throw ValidationError("--auth-key-file: \(file) holds neither 64 hex digits nor an nsec")
    }

    /// The filter: --filter, its kinds replaced by --kinds; with neither, the default kinds.
    private func syncFilter(store: EventStore, policy: EventPolicy) throws -> Filter {
        var result = Filter()
        if let filter {
            do {
                result = try Filter(json: filter)
            } catch {
                throw ValidationError("--filter is not a valid filter: \(error)")
            }
        }
        if let kinds {
            result.kinds = try kinds.split(separator: ",").map { text in
                guard let kind = Int(text.trimmingCharacters(in: .whitespaces)).flatMap(Kind.init) else {
                    throw ValidationError("--kinds: \"\(text)\" is not a kind (0-65535)")
                }
                return kind
            }
        } else if filter == nil {
            let held = (try? store.statistics().eventsByKind.keys).map(Array.init) ?? []
            result.kinds = SyncDefaults.kinds(held: held, allowed: policy.allows)
        }
        result.limit = nil
        return result
    }
}
