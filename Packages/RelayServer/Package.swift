// swift-tools-version: 6.1
// RelayServer: the PurplePages relay as a library: configuration, the Nostr protocol over
// WebSockets (Hummingbird 2), NIP-11, policies and live subscriptions, on top of LMDBStore.
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
        .package(path: "../PGAnalytics"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.3.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .target(
            name: "RelayServer",
            dependencies: [
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "PurplePagesConfiguration", package: "NostrCore"),
                .product(name: "LMDBStore", package: "LMDBStore"),
                .product(name: "PGAnalytics", package: "PGAnalytics"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSCompression", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ]
        )
    ]
)
