// swift-tools-version: 6.1
// PGAnalytics: PurplePages's PostgreSQL side. A small libpq client (`CLibPQ`, parameterised
// queries only), and, on top of it, the analytics schema and the relay's tracking sink.
// `AnalyticsWorker` is the analytics worker's library: it reads the event store read-only,
// runs the graph jobs (GraphAlgos) and replaces their results in PostgreSQL.
import PackageDescription

let package = Package(
    name: "PGAnalytics",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "PGAnalytics", targets: ["PGAnalytics"]),
        .library(name: "AnalyticsWorker", targets: ["AnalyticsWorker"]),
    ],
    dependencies: [
        .package(path: "../NostrCore"),
        .package(path: "../LMDBStore"),
        .package(path: "../GraphAlgos"),
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .target(name: "PGAnalytics", dependencies: ["CLibPQ"]),
        .target(
            name: "AnalyticsWorker",
            dependencies: [
                "PGAnalytics",
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "PurplePagesConfiguration", package: "NostrCore"),
                .product(name: "LMDBStore", package: "LMDBStore"),
                .product(name: "GraphAlgos", package: "GraphAlgos"),
            ]
        ),
    ]
)
