// swift-tools-version: 6.1
// RelayServices: everything the `purplepages` process runs, composed into one ServiceGroup: the
// relay (RelayServer) over the event store (LMDBStore), with its analytics side in PostgreSQL
// (PGAnalytics): tracking, maintenance and the worker's trust results. Blocking loops (the store's
// writer, the tracking flusher, the maintenance) run on `DedicatedThread`s as services. A
// composition layer: the crawler and the pages join it here.
import PackageDescription

let package = Package(
    name: "RelayServices",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RelayServices", targets: ["RelayServices"])
    ],
    dependencies: [
        .package(path: "../NostrCore"),
        .package(path: "../LMDBStore"),
        .package(path: "../PGAnalytics"),
        .package(path: "../PurplePagesConfiguration"),
        .package(path: "../RelayServer"),
        .package(path: "../NostrClient"),
        .package(path: "../RelaySync"),
        .package(path: "../RelayCrawler"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .target(
            name: "RelayServices",
            dependencies: [
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "LMDBStore", package: "LMDBStore"),
                .product(name: "PGAnalytics", package: "PGAnalytics"),
                .product(name: "PurplePagesConfiguration", package: "PurplePagesConfiguration"),
                .product(name: "RelayServer", package: "RelayServer"),
                .product(name: "NostrClient", package: "NostrClient"),
                .product(name: "RelaySync", package: "RelaySync"),
                .product(name: "RelayCrawler", package: "RelayCrawler"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        )
    ]
)
