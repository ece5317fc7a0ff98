// swift-tools-version: 6.1
// NostrCore: Nostr events, the strict JSON codec, ids, BIP-340 Schnorr, filters, protocol messages,
// NIP-19 and NIP-42. The protocol only: it depends on nothing else of PurplePages, so any Swift
// tool can use it alone.
import PackageDescription

let package = Package(
    name: "NostrCore",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "NostrCore", targets: ["NostrCore"]),
        .library(name: "NostrCoreTesting", targets: ["NostrCoreTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0")
    ],
    targets: [
        .systemLibrary(
            name: "CSecp256k1",
            pkgConfig: "libsecp256k1",
            providers: [.apt(["libsecp256k1-dev"])]
        ),
        .target(
            name: "NostrCore",
            dependencies: ["CSecp256k1", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(name: "NostrCoreTesting", dependencies: ["NostrCore"]),
    ]
)
