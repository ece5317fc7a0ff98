import Foundation

extension EventStore {
    /// Writes a compacted copy of the store into `directory` (created when missing): one consistent
    /// snapshot without free pages, which opens as a store of its own. It reads in one transaction,
    /// so it works on a store a relay is writing to, read-only handles included; events saved after
    /// the copy started are not in it.
    public func writeCompactedCopy(to directory: String) throws {
        if FileManager.default.fileExists(atPath: directory + "/data.mdb") {
            throw StoreError.copyTargetExists(path: directory)
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try environment.copy(to: directory, compacting: true)
    }
}
