import Foundation
import Testing

/// The package graph of Docs/ARCHITECTURE.md, checked against what is built: every package's
/// declared dependencies are exactly the ones below, and every source file imports only modules of
/// its own package or of those dependencies. Dependencies point down only (DESIGN.md §1).
@Suite("Layering: the package graph as built")
struct LayeringTests {
    /// Each package's dependencies among ours.
    static let allowed: [String: Set<String>] = [
        "NostrCore": [],
        "GraphAlgos": [],
        "PGAnalytics": [],
        "LMDBStore": ["NostrCore"],
        "PurplePagesConfiguration": ["NostrCore", "LMDBStore"],
        "RelayServer": ["NostrCore", "LMDBStore", "PurplePagesConfiguration"],
        "AnalyticsWorker": ["NostrCore", "LMDBStore", "GraphAlgos", "PGAnalytics", "PurplePagesConfiguration"],
        "RelayServices": [
            "NostrCore", "LMDBStore", "PGAnalytics", "PurplePagesConfiguration", "RelayServer", "NostrClient",
            "RelaySync", "RelayCrawler",
        ],
        "NostrClient": ["NostrCore"],
        "RelaySync": ["NostrCore", "NostrClient", "LMDBStore"],
        "RelayCrawler": ["NostrCore", "NostrClient", "LMDBStore", "RelaySync"],
    ]

    /// The package each of our modules belongs to (C shims included).
    static let packageOfModule: [String: String] = [
        "NostrCore": "NostrCore", "NostrCoreTesting": "NostrCore", "CSecp256k1": "NostrCore",
        "GraphAlgos": "GraphAlgos",
        "PGAnalytics": "PGAnalytics", "CLibPQ": "PGAnalytics",
        "LMDB": "LMDBStore", "LMDBStore": "LMDBStore", "LMDBStoreTesting": "LMDBStore", "EventTransfer": "LMDBStore",
        "CLMDB": "LMDBStore", "CZlib": "LMDBStore",
        "PurplePagesConfiguration": "PurplePagesConfiguration",
        "RelayServer": "RelayServer",
        "AnalyticsWorker": "AnalyticsWorker",
        "RelayServices": "RelayServices",
        "NostrClient": "NostrClient",
        "RelaySync": "RelaySync",
        "RelayCrawler": "RelayCrawler",
    ]

    static let root: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Packages").path) {
                return directory
            }
            directory.deleteLastPathComponent()
        }
        return directory
    }()

    static var packages: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Packages").path))
        return (names ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    @Test func everyPackageIsInTheGraph() {
        #expect(Set(Self.packages) == Set(Self.allowed.keys))
    }

    @Test func declaredDependenciesAreExactlyTheGraphs() throws {
        for package in Self.packages {
            let manifest = try String(
                contentsOf: Self.root.appendingPathComponent("Packages/\(package)/Package.swift"), encoding: .utf8)
            let declared = Set(
                manifest.matches(of: /\.package\(path: "\.\.\/([A-Za-z]+)"\)/).map { String($0.output.1) })
            #expect(declared == Self.allowed[package], "Packages/\(package)/Package.swift")
        }
    }

    @Test func sourcesImportOnlyTheirPackageAndItsDependencies() throws {
        for package in Self.packages {
            let allowed = (Self.allowed[package] ?? []).union([package])
            var used = Set<String>()
            for file in try Self.swiftFiles(in: "Packages/\(package)/Sources") {
                let source = try String(contentsOf: file, encoding: .utf8)
                let imports = source.matches(of: /(?m)^(?:@testable |@_exported )?import ([A-Za-z0-9_]+)/).map {
                    String($0.output.1)
                }
                if package == "GraphAlgos" {
                    #expect(imports.isEmpty, "GraphAlgos imports nothing at all: \(file.path) imports \(imports)")
                }
                for module in imports {
                    guard let owner = Self.packageOfModule[module] else { continue }
                    #expect(allowed.contains(owner), "\(file.path) imports \(module) (package \(owner))")
                    if owner != package { used.insert(owner) }
                }
            }
            // Every declared dependency is used: no arrow in the graph is only on paper.
            #expect(used == Self.allowed[package], "Packages/\(package) imports from \(used.sorted())")
        }
    }

    static func swiftFiles(in path: String) throws -> [URL] {
        let directory = root.appendingPathComponent(path)
        guard let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else {
            return []
        }
        return enumerator.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
    }
}
