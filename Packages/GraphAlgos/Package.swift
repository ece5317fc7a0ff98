// swift-tools-version: 6.1
// GraphAlgos: graph algorithms for large sparse graphs, with no I/O and no dependencies: a
// compact CSR graph over UInt32 node indices, strongly and weakly connected components,
// PageRank, threshold trust propagation, Louvain communities and cluster metrics.
import PackageDescription

let package = Package(
    name: "GraphAlgos",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "GraphAlgos", targets: ["GraphAlgos"])
    ],
    targets: [
        .target(name: "GraphAlgos")
    ]
)
