// swift-tools-version: 6.1
// PGAnalytics: PurplePages's PostgreSQL side, and nothing else. A small libpq client (`CLibPQ`,
// parameterised queries only), the analytics schema with its migrations and the queries that read
// it, and the relay's tracking sink. It depends on nothing else of PurplePages (only swift-log).
import PackageDescription

let package = Package(
    name: "PGAnalytics",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "PGAnalytics", targets: ["PGAnalytics"])
    ],
    dependencies: [
        // The tracking flusher logs through a `Logger` its caller passes in.
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0")
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .target(name: "PGAnalytics", dependencies: ["CLibPQ", .product(name: "Logging", package: "swift-log")]),
    ]
)
