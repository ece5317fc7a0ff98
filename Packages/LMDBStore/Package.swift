// swift-tools-version: 6.1
// LMDBStore: a thin Swift layer over liblmdb (`LMDB`) and the event store every PurplePages query
// runs on (`LMDBStore`): one writer with group commit, strfry-shaped indexes, a query planner.
import PackageDescription

let package = Package(
    name: "LMDBStore",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "LMDB", targets: ["LMDB"]),
        .library(name: "LMDBStore", targets: ["LMDBStore"]),
        .library(name: "LMDBStoreTesting", targets: ["LMDBStoreTesting"]),
    ],
    dependencies: [
        .package(path: "../NostrCore")
    ],
    targets: [
        .systemLibrary(name: "CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
        .target(name: "LMDB", dependencies: ["CLMDB"]),
        .target(name: "LMDBStore", dependencies: ["LMDB", .product(name: "NostrCore", package: "NostrCore")]),
        .target(name: "LMDBStoreTesting", dependencies: ["LMDBStore"]),
    ]
)
