// swift-tools-version: 6.1
// NostrClient: a client connection to any Nostr relay (ws:// or wss://, permessage-deflate), with
// every buffer and wait bounded and every event checked before it is handed on. What
// `purplepages sync` and the crawler talk to other relays with; it depends on nothing of PurplePages
// but NostrCore.
import PackageDescription

let package = Package(
    name: "NostrClient",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "NostrClient", targets: ["NostrClient"])
    ],
    dependencies: [
        .package(path: "../NostrCore"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        // WebSocketHandler, the frame loop WSClient runs, is SPI (`WSInternal`): RelayConnectionChannel
        // uses it to own the channel (see there why). SPI may change in a minor release, so the
        // version is held to 1.6.x: a newer swift-websocket must be checked against it first.
        .package(url: "https://github.com/hummingbird-project/swift-websocket.git", .upToNextMinor(from: "1.6.2")),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.29.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.3.0"),
    ],
    targets: [
        .target(
            name: "NostrClient",
            dependencies: [
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSCompression", package: "hummingbird-websocket"),
                .product(name: "WSCore", package: "swift-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        )
    ]
)
