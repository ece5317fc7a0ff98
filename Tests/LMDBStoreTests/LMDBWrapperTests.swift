import Foundation
import LMDB
import Testing

@Suite("LMDB wrapper")
struct LMDBWrapperTests {
    @Test func writesReadsAndGrowsTheMap() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lmdb-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let environment = try Environment(path: directory, options: .init(mapSize: 1 << 20))
        let table = try environment.openDatabase("t", flags: [])
        // ~4 MB of values into a 1 MB map: must grow, not fail.
        for batch in 0..<40 {
            try environment.write { txn in
                for item in 0..<25 {
                    let key = Array("k\(batch)-\(item)".utf8)
                    try txn.put(table, key: key, value: [UInt8](repeating: UInt8(item), count: 4000))
                }
            }
        }
        #expect(environment.mapSize > 1 << 20)
        let value = try environment.read { txn in try txn.get(table, key: Array("k39-24".utf8)).map { Array($0) } }
        #expect(value == [UInt8](repeating: 24, count: 4000))
        #expect(try environment.read { try $0.count(table) } == 1000)
    }
}
