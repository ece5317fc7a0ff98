import Foundation
import LMDBStore
import LMDBStoreTesting
import NostrCore
import NostrCoreTesting

@testable import EventTransfer

/// Shared fixtures of the import and export tests: signed events, files in temporary directories,
/// stores and the PostgreSQL COPY text escaping the migration's exports use.
enum TransferFixtures {
    /// A fixed clock for stores and import policies, later than every fixture's `created_at`.
    static let now: Int64 = 1_770_000_000

    /// A deterministic corpus of 500 signed events (profiles, follow lists, relay lists, NIP-51 lists).
    static let corpus: [Event] = Array(CorpusGenerator(pubkeys: 160, seed: 0xC0FFEE).allEvents().prefix(500))

    /// Deterministic key pairs, so failures reproduce.
    static func keyPair(_ number: UInt64) -> KeyPair {
        KeyPair(secretKey: SecretKey(Bytes32(w0: 0x7EA7, w1: number, w2: 0xABCD_EF01 &* number, w3: ~number))!)
    }

    /// A deterministic signed event.
    static func event(
        _ keys: KeyPair, kind: Kind, createdAt: Int64 = 1_700_000_000, content: String = "",
        tags: [[String]] = []
    ) -> Event {
        keys.sign(kind: kind, tags: tags, content: content, createdAt: createdAt, auxiliaryRandom: .zero)
    }

    /// Contents that stress every escaping layer: JSON escapes, COPY backslashes, tabs, CRs,
    /// emoji and other scripts.
    static let trickyContents: [String] = [
        #"back\slash and "quotes" and a\\double"#,
        "line one\nline two\r\nwindows\ttab\u{0B}vertical",
        "🦄 unicorn, ünïcödé, 日本語, עברית",
        #"C:\path\to\file.txt \n not a newline \t nor a tab \\N \."#,
        "{\"nested\":\"json \\\"inside\\\"\"}\u{07}\u{1B}",
        "",
    ]

    /// Signed events (one author each) whose contents and tags hold `trickyContents`.
    static func trickyEvents() -> [Event] {
        trickyContents.enumerated().map { index, content in
            event(
                keyPair(100 + UInt64(index)), kind: 1, createdAt: 1_700_000_000 + Int64(index), content: content,
                tags: [["t", content], ["r", #"wss://relay.example/\path"#]])
        }
    }

    /// The text PostgreSQL's `COPY ... TO` writes for a one-column text value: backslash, newline,
    /// carriage return and tab escaped (what the migration runbook's export contains).
    static func copyEscaped(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 8)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\\"): output += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: output += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: output += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: output += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            default: output.append(byte)
            }
        }
        return output
    }

    // MARK: Files

    /// Runs `body` with a fresh temporary directory, removed afterwards whatever happens.
    static func withTemporaryDirectory(_ body: (String) throws -> Void) throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("purplepages-transfer-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try body(path)
    }

    /// Writes `bytes` to `path` exactly (for line endings and final newlines under test).
    static func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw TransferError.io(file: path, "cannot create the test file")
        }
    }

    /// Writes `lines` one per line through `OutputFile`, so a name ending in `.gz` gives gzip.
    static func writeLines(_ path: String, _ lines: [[UInt8]]) throws {
        let output = try OutputFile(path: path)
        for line in lines {
            try line.withUnsafeBytes { try output.writeLine($0) }
        }
        try output.finish()
    }

    /// Every byte `InputFile` hands out for `path` (decompressed when it is gzip).
    static func readAll(_ path: String) throws -> [UInt8] {
        let input = try InputFile(path: path)
        var bytes: [UInt8] = []
        while try input.read({ bytes.append(contentsOf: $0) }) {}
        return bytes
    }

    /// The non-empty lines of `path`, decompressed when it is gzip.
    static func readLines(_ path: String) throws -> [String] {
        try readAll(path).split(separator: UInt8(ascii: "\n")).map { String(decoding: $0, as: UTF8.self) }
    }

    // MARK: Stores

    /// Runs `body` with a fresh store whose clock is `now` and whose query limits read everything.
    static func withStore(_ body: (EventStore) throws -> Void) throws {
        let temporary = try TemporaryStore { configuration in
            configuration.clock = { TransferFixtures.now }
            configuration.defaultLimit = 100_000
            configuration.maxLimit = 100_000
        }
        // The store closes when `temporary` is released: keep it alive for all of `body`.
        try withExtendedLifetime(temporary) { try body(temporary.store) }
    }

    /// The JSON of every stored event.
    static func storedJSON(_ store: EventStore) throws -> Set<String> {
        var stored = Set<String>()
        try store.scanAll { event in
            stored.insert(String(decoding: event.json, as: UTF8.self))
            return true
        }
        return stored
    }

    /// Options with the store's fixed clock; `configure` adjusts them.
    static func options(_ configure: (inout ImportOptions) -> Void = { _ in }) -> ImportOptions {
        var options = ImportOptions()
        options.now = { TransferFixtures.now }
        configure(&options)
        return options
    }

    /// Imports the files at `paths` into `store` with one importer and returns its summary.
    static func importFiles(
        _ paths: [String], into store: EventStore, options: ImportOptions = options(),
        errorLog: ImportErrorLog? = nil
    ) throws -> ImportSummary {
        let importer = EventImporter(store: store, options: options, errorLog: errorLog)
        for path in paths { try importer.importFile(InputFile(path: path)) }
        return try importer.finish()
    }
}
