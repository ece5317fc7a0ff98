// swift-tools-version: 6.1
// PurplePagesConfiguration: config.json as every PurplePages executable reads it (keys compatible
// with the Go original), and the one place where it becomes each component's own configuration
// (the event store's, the event policy). A composition layer: it sits above the libraries it
// configures and below the executables.
import PackageDescription

let package = Package(
    name: "PurplePagesConfiguration",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "PurplePagesConfiguration", targets: ["PurplePagesConfiguration"])
    ],
    dependencies: [
        .package(path: "../NostrCore"),
        .package(path: "../LMDBStore"),
    ],
    targets: [
        .target(
            name: "PurplePagesConfiguration",
            dependencies: [
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "LMDBStore", package: "LMDBStore"),
            ]
        )
    ]
)
