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
        .package(path: "Packages/NostrCore"),
        .package(path: "Packages/LMDBStore"),
        .package(path: "Packages/RelayServer"),
        .package(path: "Packages/PGAnalytics"),
        .package(path: "Packages/GraphAlgos"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
    ],
    targets: [
        .executableTarget(
            name: "purplepages",
            dependencies: [
                .product(name: "RelayServer", package: "RelayServer"),
                .product(name: "PurplePagesConfiguration", package: "NostrCore"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Executables/purplepages"
        ),
        .executableTarget(
            name: "purplepages-import",
            dependencies: [
                .product(name: "EventTransfer", package: "LMDBStore"),
                .product(name: "LMDBStore", package: "LMDBStore"),
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "PurplePagesConfiguration", package: "NostrCore"),
                .product(name: "PGAnalytics", package: "PGAnalytics"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Executables/purplepages-import"
        ),
        .executableTarget(
            name: "purplepages-analytics",
            dependencies: [
                .product(name: "AnalyticsWorker", package: "PGAnalytics"),
                .product(name: "PurplePagesConfiguration", package: "NostrCore"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Executables/purplepages-analytics"
        ),
        .executableTarget(
            name: "purplepages-bench",
            dependencies: [
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "NostrCoreTesting", package: "NostrCore"),
                .product(name: "LMDBStore", package: "LMDBStore"),
                .product(name: "EventTransfer", package: "LMDBStore"),
                .product(name: "RelayServer", package: "RelayServer"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ],
            path: "Executables/purplepages-bench"
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
        .executableTarget(
            name: "purplepages-fuzz",
            dependencies: [.product(name: "NostrCore", package: "NostrCore")],
            path: "Executables/purplepages-fuzz"
        ),
        .testTarget(
            name: "NostrCoreTests",
            dependencies: [
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "NostrCoreTesting", package: "NostrCore"),
            ],
            path: "Tests/NostrCoreTests"
        ),
        .testTarget(name: "HarnessTests", path: "Tests/HarnessTests"),
        .target(
            name: "PurplePagesTestSupport",
            dependencies: [.product(name: "PGAnalytics", package: "PGAnalytics")],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "AnalyticsWorkerTests",
            dependencies: [
                "PurplePagesTestSupport",
                .product(name: "AnalyticsWorker", package: "PGAnalytics"),
                .product(name: "PGAnalytics", package: "PGAnalytics"),
                .product(name: "PurplePagesConfiguration", package: "NostrCore"),
                .product(name: "LMDBStore", package: "LMDBStore"),
                .product(name: "LMDBStoreTesting", package: "LMDBStore"),
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "NostrCoreTesting", package: "NostrCore"),
            ],
            path: "Tests/AnalyticsWorkerTests"
        ),
        .testTarget(
            name: "GraphAlgosTests",
            dependencies: [.product(name: "GraphAlgos", package: "GraphAlgos")],
            path: "Tests/GraphAlgosTests"
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
            name: "ImportCommandTests",
            dependencies: [
                .product(name: "EventTransfer", package: "LMDBStore"),
                .product(name: "LMDBStore", package: "LMDBStore"),
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "NostrCoreTesting", package: "NostrCore"),
                .product(name: "PGAnalytics", package: "PGAnalytics"),
            ],
            path: "Tests/ImportCommandTests"
        ),
        .testTarget(
            name: "PGAnalyticsTests",
            dependencies: [.product(name: "PGAnalytics", package: "PGAnalytics")],
            path: "Tests/PGAnalyticsTests"
        ),
        .testTarget(
            name: "RelayServerTests",
            dependencies: [
                .product(name: "RelayServer", package: "RelayServer"),
                .product(name: "PurplePagesConfiguration", package: "NostrCore"),
                .product(name: "LMDBStore", package: "LMDBStore"),
                .product(name: "LMDBStoreTesting", package: "LMDBStore"),
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "NostrCoreTesting", package: "NostrCore"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSCompression", package: "hummingbird-websocket"),
                .product(name: "PGAnalytics", package: "PGAnalytics"),
            ],
            path: "Tests/RelayServerTests"
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
    ]
)
