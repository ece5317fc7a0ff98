// swift-tools-version: 6.1
// RelayCrawler: the relay fills itself from the network. A persistent directory of relays (found
// in kind 10002 lists), a fair scheduler with backoff, seed-relay backfill and live subscriptions,
// and outbox sync of the pubkeys that matter from their own write relays; every event it fetches
// goes through the relay's own validation and store rules (`CrawlerIngest`). Connections go only
// to public addresses unless configured otherwise.
import PackageDescription

let package = Package(
    name: "RelayCrawler",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RelayCrawler", targets: ["RelayCrawler"])
    ],
    dependencies: [
        .package(path: "../NostrCore"),
        .package(path: "../NostrClient"),
        .package(path: "../LMDBStore"),
        .package(path: "../RelaySync"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
    ],
    targets: [
        .target(
            name: "RelayCrawler",
            dependencies: [
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "NostrClient", package: "NostrClient"),
                .product(name: "LMDB", package: "LMDBStore"),
                .product(name: "LMDBStore", package: "LMDBStore"),
                .product(name: "RelaySync", package: "RelaySync"),
                .product(name: "Logging", package: "swift-log"),
            ]
        )
    ]
)
