// swift-tools-version: 6.1
// PGAnalytics: PurplePages's PostgreSQL side. A small libpq client (`CLibPQ`, parameterised
// queries only), and, on top of it, the analytics schema and the relay's tracking sink.
import PackageDescription

let package = Package(
    name: "PGAnalytics",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "PGAnalytics", targets: ["PGAnalytics"])
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .target(name: "PGAnalytics", dependencies: ["CLibPQ"]),
    ]
)
