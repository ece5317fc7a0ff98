import LMDBStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The event store as the operating system sees it: the size of its data file and of the map
/// LMDB holds of it.
struct StoreFiles {
    /// The store's directory.
    let path: String
    /// The map size the store was opened with, for where the live map cannot be seen.
    let configuredMapSize: Int

    init(_ configuration: EventStoreConfiguration) {
        path = configuration.path
        configuredMapSize = max(1, configuration.mapSizeGB) << 30
    }

    /// The data file's size in bytes (the file is sparse: the size, not the blocks written).
    func dataFileSize() -> Int? { ProcFiles.size(path + "/data.mdb") }

    /// The size of the map in bytes. The store doubles its map when it fills up, and says so to
    /// nobody, so the live size is read from the process's mappings (`/proc/self/maps`, the
    /// largest mapping of `data.mdb`); without them, the size the store was opened with.
    func mapSize() -> Int {
        guard let resolved = realpath(path + "/data.mdb", nil) else { return configuredMapSize }
        let dataFile = String(cString: resolved)
        free(resolved)
        var largest = 0
        for line in ProcFiles.lines("/proc/self/maps") ?? [] where line.hasSuffix(" " + dataFile) {
            let range = line.prefix { $0 != " " }.split(separator: "-")
            guard range.count == 2, let start = UInt(range[0], radix: 16), let end = UInt(range[1], radix: 16),
                end > start
            else { continue }
            largest = max(largest, Int(end - start))
        }
        return largest > 0 ? largest : configuredMapSize
    }
}
