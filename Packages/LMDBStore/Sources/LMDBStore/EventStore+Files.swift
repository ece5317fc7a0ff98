#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension EventStore {
    /// The map LMDB holds of the store, in bytes: address space, not disk, which the store doubles
    /// when it fills up (and adopts when another process did).
    public var mapSizeBytes: Int { environment.mapSize }

    /// The size of the store's data file (`data.mdb`) in bytes, free pages included; nil when it
    /// cannot be read.
    public var dataFileBytes: Int? {
        var status = stat()
        guard stat(configuration.path + "/data.mdb", &status) == 0 else { return nil }
        return Int(status.st_size)
    }
}
