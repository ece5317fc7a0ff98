// swift-tools-version: 6.1
// RelayServer: the PurplePages relay as a library: the Nostr protocol over WebSockets
// (Hummingbird 2), NIP-11, policies, live subscriptions and metrics, on top of LMDBStore, read from
// the shared configuration. What it records for analytics goes through its `TrafficRecorder`
// protocol; it knows nothing of PostgreSQL.
import PackageDescription

let package = Package(
    name: "RelayServer",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RelayServer", targets: ["RelayServer"])
    ],
    dependencies: [
        .package(path: "../NostrCore"),
        .package(path: "../LMDBStore"),
        .package(path: "../PurplePagesConfiguration"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.3.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .target(
            name: "RelayServer",
            dependencies: [
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "LMDBStore", package: "LMDBStore"),
                .product(name: "PurplePagesConfiguration", package: "PurplePagesConfiguration"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSCompression", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ]
        )
    ]
)
