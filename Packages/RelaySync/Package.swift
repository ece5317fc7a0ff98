// swift-tools-version: 6.1
// RelaySync: keeps the local event store and a remote relay equal for a filter: NIP-77 negentropy
// where the remote speaks it, `until` paging over REQ where it does not; downloads what the store
// lacks through its normal rules and uploads what the remote lacks. Used by `purplepages sync` and
// the network crawler; it runs wherever the store can be opened for writing.
import PackageDescription

let package = Package(
    name: "RelaySync",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RelaySync", targets: ["RelaySync"])
    ],
    dependencies: [
        .package(path: "../NostrCore"),
        .package(path: "../NostrClient"),
        .package(path: "../LMDBStore"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
    ],
    targets: [
        .target(
            name: "RelaySync",
            dependencies: [
                .product(name: "NostrCore", package: "NostrCore"),
                .product(name: "NostrClient", package: "NostrClient"),
                .product(name: "LMDBStore", package: "LMDBStore"),
                .product(name: "Logging", package: "swift-log"),
            ]
        )
    ]
)
