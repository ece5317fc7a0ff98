// swift-tools-version: 6.1
// LMDBStore: a thin Swift layer over liblmdb (`LMDB`) and the event store every PurplePages query
// runs on (`LMDBStore`): one writer with group commit, strfry-shaped indexes, a query planner.
// `EventTransfer` moves events in and out in bulk (purplepages-import).
import PackageDescription

let package = Package(
    name: "LMDBStore",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "LMDB", targets: ["LMDB"]),
        .library(name: "LMDBStore", targets: ["LMDBStore"]),
        .library(name: "LMDBStoreTesting", targets: ["LMDBStoreTesting"]),
        .library(name: "EventTransfer", targets: ["EventTransfer"]),
    ],
    dependencies: [
        .package(path: "../NostrCore")
    ],
    targets: [
        .systemLibrary(name: "CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
        .target(name: "LMDB", dependencies: ["CLMDB"]),
        .target(name: "LMDBStore", dependencies: ["LMDB", .product(name: "NostrCore", package: "NostrCore")]),
        .target(name: "LMDBStoreTesting", dependencies: ["LMDBStore"]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Bulk import and export: JSONL, gzip and PostgreSQL COPY text in, JSONL (or gzip) out.
        .target(
            name: "EventTransfer",
            dependencies: ["LMDBStore", "CZlib", .product(name: "NostrCore", package: "NostrCore")]
        ),
    ]
)
