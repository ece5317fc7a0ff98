// swift-tools-version: 6.1
// PurplePages: a Nostr relay for profiles, follow lists, relay lists and NIP-51 lists.
// This root package composes the standalone packages under Packages/ into the executables under
// Executables/ and holds every test target, so one `swift build` compiles everything once.
import PackageDescription

let package = Package(
    name: "PurplePages",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "purplepages", targets: ["purplepages"]),
        .executable(name: "purplepages-import", targets: ["purplepages-import"]),
        .executable(name: "purplepages-analytics", targets: ["purplepages-analytics"]),
        .executable(name: "purplepages-bench", targets: ["purplepages-bench"]),
    ],
    dependencies: [
        // The five libraries of the design card.
        .package(path: "Packages/NostrCore"),
        .package(path: "Packages/LMDBStore"),
        .package(path: "Packages/GraphAlgos"),
        .package(path: "Packages/PGAnalytics"),
        .package(path: "Packages/RelayServer"),
        // Composition layers: the shared configuration, the worker's jobs, the relay process.
        .package(path: "Packages/PurplePagesConfiguration"),
        .package(path: "Packages/AnalyticsWorker"),
        .package(path: "Packages/RelayServices"),
        // The Nostr client for other relays, and the store's sync with them (`purplepages sync`).
        .package(path: "Packages/NostrClient"),
        .package(path: "Packages/RelaySync"),
        .package(path: "Packages/RelayCrawler"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        // For NostrClientTests' own servers (wss:// with a certificate made at test time).
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.29.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
    ],
    targets: [
        // MARK: Executables (thin: arguments and wiring)
        .executableTarget(
            name: "purplepages",
            dependencies: [
                "CommandLineSupport",
                .product(name: "RelayServices", package: "RelayServices"),
                .product(name: "RelaySync", package: "RelaySync"),
                .product(name: "RelayCrawler", package: "RelayCrawler"),
                .product(name: "NostrClient", package: "NostrClient"),
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "PurplePagesConfiguration", package: "PurplePagesConfiguration"),
                .product(name: "LMDBStore", package: "LMDBStore"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Executables/purplepages"
        ),
        .executableTarget(
            name: "purplepages-import",
            dependencies: [
                "CommandLineSupport",
                .product(name: "EventTransfer", package: "LMDBStore"),
                .product(name: "LMDBStore", package: "LMDBStore"),
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "PurplePagesConfiguration", package: "PurplePagesConfiguration"),
                .product(name: "PGAnalytics", package: "PGAnalytics"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Executables/purplepages-import"
        ),
        .executableTarget(
            name: "purplepages-analytics",
            dependencies: [
                "CommandLineSupport",
                .product(name: "AnalyticsWorker", package: "AnalyticsWorker"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Executables/purplepages-analytics"
        ),
        // What the three executables share: --config and --analytics-db-url, configuration
        // errors, signals, process memory and priority.
        .target(
            name: "CommandLineSupport",
            dependencies: [
                .product(name: "PurplePagesConfiguration", package: "PurplePagesConfiguration"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Executables/CommandLineSupport",
            plugins: ["BuildVersionPlugin"]
        ),
        // Stamps the git commit into CommandLineSupport for `--version`.
        .plugin(name: "BuildVersionPlugin", capability: .buildTool(), path: "Executables/BuildVersionPlugin"),
        .executableTarget(
            name: "purplepages-bench",
            dependencies: [
                "CommandLineSupport",
                "RelayClientCore",
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "NostrCoreTesting", package: "NostrCore"),
                .product(name: "LMDBStore", package: "LMDBStore"),
                .product(name: "EventTransfer", package: "LMDBStore"),
                .product(name: "RelayServer", package: "RelayServer"),
                .product(name: "RelaySync", package: "RelaySync"),
                .product(name: "RelayCrawler", package: "RelayCrawler"),
                .product(name: "RelayServices", package: "RelayServices"),
                .product(name: "NostrClient", package: "NostrClient"),
                .product(name: "PurplePagesConfiguration", package: "PurplePagesConfiguration"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Executables/purplepages-bench"
        ),
        .executableTarget(
            name: "purplepages-fuzz",
            dependencies: [.product(name: "NostrCore", package: "NostrCore")],
            path: "Executables/purplepages-fuzz"
        ),

        // MARK: Test support
        // The test database and schemas, processes (built executables, the relay), a relay in
        // process and the Nostr WebSocket test client, for every test target. Uses Swift Testing.
        .target(
            name: "PurplePagesTestSupport",
            dependencies: [
                "RelayClientCore",
                .product(name: "PGAnalytics", package: "PGAnalytics"),
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "RelayServer", package: "RelayServer"),
                .product(name: "RelayServices", package: "RelayServices"),
                .product(name: "PurplePagesConfiguration", package: "PurplePagesConfiguration"),
                .product(name: "LMDBStore", package: "LMDBStore"),
                .product(name: "LMDBStoreTesting", package: "LMDBStore"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSCompression", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/TestSupport"
        ),
        // The WebSocket connection to a relay that the test client and the bench's client share
        // (no Swift Testing, so the bench links it).
        .target(
            name: "RelayClientCore",
            dependencies: [
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/RelayClientCore"
        ),
        .executableTarget(
            name: "purplepages-store-probe",
            dependencies: [
                .product(name: "LMDBStore", package: "LMDBStore"),
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "NostrCoreTesting", package: "NostrCore"),
            ],
            path: "Tests/StoreProbe"
        ),

        // MARK: Tests (one target per module, plus process-level tests)
        .testTarget(
            name: "NostrCoreTests",
            dependencies: [
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "NostrCoreTesting", package: "NostrCore"),
            ],
            path: "Tests/NostrCoreTests"
        ),
        // NostrClient against our relay in process and small misbehaving servers, over loopback.
        .testTarget(
            name: "NostrClientTests",
            dependencies: [
                "PurplePagesTestSupport",
                .product(name: "NostrClient", package: "NostrClient"),
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "RelayServer", package: "RelayServer"),
                .product(name: "PurplePagesConfiguration", package: "PurplePagesConfiguration"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSCompression", package: "hummingbird-websocket"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/NostrClientTests"
        ),
        .testTarget(
            name: "LMDBStoreTests",
            dependencies: [
                .product(name: "LMDB", package: "LMDBStore"),
                .product(name: "LMDBStore", package: "LMDBStore"),
                .product(name: "LMDBStoreTesting", package: "LMDBStore"),
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "NostrCoreTesting", package: "NostrCore"),
            ],
            path: "Tests/LMDBStoreTests"
        ),
        .testTarget(
            name: "EventTransferTests",
            dependencies: [
                .product(name: "EventTransfer", package: "LMDBStore"),
                .product(name: "LMDBStore", package: "LMDBStore"),
                .product(name: "LMDBStoreTesting", package: "LMDBStore"),
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "NostrCoreTesting", package: "NostrCore"),
            ],
            path: "Tests/EventTransferTests"
        ),
        .testTarget(
            name: "GraphAlgosTests",
            dependencies: [.product(name: "GraphAlgos", package: "GraphAlgos")],
            path: "Tests/GraphAlgosTests"
        ),
        .testTarget(
            name: "PGAnalyticsTests",
            dependencies: [
                "PurplePagesTestSupport",
                .product(name: "PGAnalytics", package: "PGAnalytics"),
                // The flusher runs on the relay's DedicatedThread, as in production.
                .product(name: "RelayServices", package: "RelayServices"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/PGAnalyticsTests"
        ),
        .testTarget(
            name: "ConfigurationTests",
            dependencies: [
                .product(name: "PurplePagesConfiguration", package: "PurplePagesConfiguration"),
                .product(name: "LMDBStore", package: "LMDBStore"),
                .product(name: "NostrCore", package: "NostrCore"),
            ],
            path: "Tests/ConfigurationTests"
        ),
        .testTarget(
            name: "RelayServerTests",
            dependencies: [
                "PurplePagesTestSupport",
                .product(name: "RelayServer", package: "RelayServer"),
                .product(name: "RelayServices", package: "RelayServices"),
                .product(name: "PurplePagesConfiguration", package: "PurplePagesConfiguration"),
                .product(name: "LMDBStore", package: "LMDBStore"),
                .product(name: "LMDBStoreTesting", package: "LMDBStore"),
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "NostrCoreTesting", package: "NostrCore"),
                .product(name: "PGAnalytics", package: "PGAnalytics"),
            ],
            path: "Tests/RelayServerTests"
        ),
        .testTarget(
            name: "RelayServicesTests",
            dependencies: [
                "PurplePagesTestSupport",
                .product(name: "RelayServices", package: "RelayServices"),
                .product(name: "RelayServer", package: "RelayServer"),
                .product(name: "PurplePagesConfiguration", package: "PurplePagesConfiguration"),
                .product(name: "PGAnalytics", package: "PGAnalytics"),
                .product(name: "LMDBStore", package: "LMDBStore"),
                .product(name: "LMDBStoreTesting", package: "LMDBStore"),
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "NostrCoreTesting", package: "NostrCore"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/RelayServicesTests"
        ),
        .testTarget(
            name: "AnalyticsWorkerTests",
            dependencies: [
                "PurplePagesTestSupport",
                .product(name: "AnalyticsWorker", package: "AnalyticsWorker"),
                .product(name: "PGAnalytics", package: "PGAnalytics"),
                .product(name: "PurplePagesConfiguration", package: "PurplePagesConfiguration"),
                .product(name: "LMDBStore", package: "LMDBStore"),
                .product(name: "LMDBStoreTesting", package: "LMDBStore"),
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "NostrCoreTesting", package: "NostrCore"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/AnalyticsWorkerTests"
        ),
        .testTarget(
            name: "ImportCommandTests",
            dependencies: [
                "PurplePagesTestSupport",
                .product(name: "EventTransfer", package: "LMDBStore"),
                .product(name: "LMDBStore", package: "LMDBStore"),
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "NostrCoreTesting", package: "NostrCore"),
                .product(name: "PGAnalytics", package: "PGAnalytics"),
            ],
            path: "Tests/ImportCommandTests"
        ),
        .testTarget(
            name: "CommandLineSupportTests",
            dependencies: ["CommandLineSupport", .product(name: "Logging", package: "swift-log")],
            path: "Tests/CommandLineSupportTests"
        ),
        // Every executable's command-line contract as processes: exit statuses, --version, the
        // hand-overs, `purplepages compact`.
        .testTarget(
            name: "ExecutableTests",
            dependencies: [
                "PurplePagesTestSupport",
                .product(name: "LMDBStore", package: "LMDBStore"),
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "PGAnalytics", package: "PGAnalytics"),
            ],
            path: "Tests/ExecutableTests"
        ),
        // StoreSynchronizer between a local store and our relay over real WebSockets.
        .testTarget(
            name: "RelaySyncTests",
            dependencies: [
                "PurplePagesTestSupport",
                .product(name: "RelaySync", package: "RelaySync"),
                .product(name: "NostrClient", package: "NostrClient"),
                .product(name: "PurplePagesConfiguration", package: "PurplePagesConfiguration"),
                .product(name: "LMDBStore", package: "LMDBStore"),
                .product(name: "LMDBStoreTesting", package: "LMDBStore"),
                .product(name: "NostrCore", package: "NostrCore"),
            ],
            path: "Tests/RelaySyncTests"
        ),
        // The crawler: URL normalisation, address guard, directory and scheduler, and crawls of
        // several relays on loopback (good, dead, hanging, flooding, lying).
        .testTarget(
            name: "RelayCrawlerTests",
            dependencies: [
                "PurplePagesTestSupport",
                .product(name: "RelayCrawler", package: "RelayCrawler"),
                .product(name: "RelayServices", package: "RelayServices"),
                .product(name: "RelayServer", package: "RelayServer"),
                .product(name: "NostrClient", package: "NostrClient"),
                .product(name: "PurplePagesConfiguration", package: "PurplePagesConfiguration"),
                .product(name: "LMDBStore", package: "LMDBStore"),
                .product(name: "LMDBStoreTesting", package: "LMDBStore"),
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/RelayCrawlerTests"
        ),
        .testTarget(name: "HarnessTests", dependencies: ["PurplePagesTestSupport"], path: "Tests/HarnessTests"),
        // make install/uninstall into a temporary prefix, the installed executables and units, and
        // deploy/config.example.json against the configuration reader.
        .testTarget(
            name: "DeployTests",
            dependencies: [
                "PurplePagesTestSupport",
                .product(name: "PurplePagesConfiguration", package: "PurplePagesConfiguration"),
                .product(name: "NostrCore", package: "NostrCore"),
            ],
            path: "Tests/DeployTests"
        ),
        // Interoperability with implementations we did not write: rust-nostr's NIP-77 sync against the
        // relay, and a REQ-only relay (Tests/Interop/*.py, run by .venv-interop's python, which
        // scripts/install-deps builds).
        .testTarget(
            name: "InteropTests",
            dependencies: [
                "PurplePagesTestSupport",
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "NostrCoreTesting", package: "NostrCore"),
                .product(name: "LMDBStore", package: "LMDBStore"),
            ],
            path: "Tests/InteropTests"
        ),
    ]
)
