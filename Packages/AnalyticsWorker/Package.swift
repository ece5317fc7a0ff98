// swift-tools-version: 6.1
// AnalyticsWorker: the jobs `purplepages-analytics` runs. It reads the event store read-only
// (LMDBStore), builds the follow graph, runs the graph algorithms (GraphAlgos) and replaces their
// results in the analytics database (PGAnalytics). A composition layer over those three.
import PackageDescription

let package = Package(
    name: "AnalyticsWorker",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "AnalyticsWorker", targets: ["AnalyticsWorker"])
    ],
    dependencies: [
        .package(path: "../NostrCore"),
        .package(path: "../LMDBStore"),
        .package(path: "../GraphAlgos"),
        .package(path: "../PGAnalytics"),
        .package(path: "../PurplePagesConfiguration"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
    ],
    targets: [
        .target(
            name: "AnalyticsWorker",
            dependencies: [
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "LMDBStore", package: "LMDBStore"),
                .product(name: "GraphAlgos", package: "GraphAlgos"),
                .product(name: "PGAnalytics", package: "PGAnalytics"),
                .product(name: "PurplePagesConfiguration", package: "PurplePagesConfiguration"),
                .product(name: "Logging", package: "swift-log"),
            ]
        )
    ]
)
