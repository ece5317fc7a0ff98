import NostrCoreTesting
import Testing

@testable import EventTransfer

/// Compresses and decompresses in memory, in chunks of uneven sizes, so buffer boundaries fall
/// everywhere (mid-header, mid-block, mid-trailer).
enum GzipHelpers {
    /// Chunk sizes cycled through when feeding data, from a single byte to more than zlib's buffer.
    static let chunkSizes = [1, 7, 4093, 65_539, 300_001, 13]

    /// `data` cut into pieces of the sizes in `chunkSizes`, cycling.
    static func chunks(_ data: [UInt8], sizes: [Int] = chunkSizes) -> [ArraySlice<UInt8>] {
        var pieces: [ArraySlice<UInt8>] = []
        var start = 0
        var turn = 0
        while start < data.count {
            let end = min(data.count, start + sizes[turn % sizes.count])
            pieces.append(data[start..<end])
            start = end
            turn += 1
        }
        return pieces
    }

    /// `data` gzip-compressed, fed to the deflater in uneven chunks.
    static func compress(_ data: [UInt8]) throws -> [UInt8] {
        let deflater = try GzipDeflater()
        var compressed: [UInt8] = []
        for piece in chunks(data) {
            try piece.withUnsafeBytes { try deflater.deflate($0) { compressed.append(contentsOf: $0) } }
        }
        try deflater.finish { compressed.append(contentsOf: $0) }
        return compressed
    }

    /// What the inflater makes of `compressed` fed in pieces of `sizes`; `finish()` is checked too.
    static func decompress(_ compressed: [UInt8], sizes: [Int] = chunkSizes) throws -> [UInt8] {
        let inflater = try GzipInflater()
        var output: [UInt8] = []
        for piece in chunks(compressed, sizes: sizes) {
            try piece.withUnsafeBytes { try inflater.inflate($0) { output.append(contentsOf: $0) } }
        }
        try inflater.finish()
        return output
    }

    /// Deterministic data that is partly compressible (runs and a small alphabet) and partly not.
    static func randomish(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        var data: [UInt8] = []
        data.reserveCapacity(count)
        while data.count < count {
            let word = generator.next()
            switch word % 4 {
            case 0: data.append(contentsOf: repeatElement(UInt8(truncatingIfNeeded: word >> 8), count: Int(word >> 56)))
            case 1: data.append(contentsOf: (0..<8).map { UInt8(ascii: "a") + UInt8((word >> ($0 * 8)) % 16) })
            default: data.append(contentsOf: (0..<8).map { UInt8(truncatingIfNeeded: word >> ($0 * 8)) })
            }
        }
        return Array(data.prefix(count))
    }
}

@Suite("Gzip")
struct GzipTests {
    @Test("deflated data inflates back to the input", arguments: [0, 1, 100, 65_536, 262_145, 3_000_000])
    func roundTrip(size: Int) throws {
        let data = GzipHelpers.randomish(size, seed: UInt64(size) + 1)
        let compressed = try GzipHelpers.compress(data)
        #expect(compressed.starts(with: [0x1F, 0x8B]), "a gzip header")
        #expect(try GzipHelpers.decompress(compressed) == data)
        // The same stream in one piece and byte by byte for small sizes.
        #expect(try GzipHelpers.decompress(compressed, sizes: [compressed.count + 1]) == data)
        if size <= 65_536 {
            #expect(try GzipHelpers.decompress(compressed, sizes: [1]) == data)
        }
    }

    @Test("two concatenated gzip members decode to both contents, whatever the chunking")
    func multipleMembers() throws {
        let first = Array("first member\n".utf8) + GzipHelpers.randomish(70_000, seed: 11)
        let second = Array("second member\n".utf8)
        let third = GzipHelpers.randomish(5_000, seed: 12)
        let joined = try GzipHelpers.compress(first) + GzipHelpers.compress(second) + GzipHelpers.compress(third)
        for sizes in [[joined.count], [1], GzipHelpers.chunkSizes, [3, 1000]] {
            #expect(try GzipHelpers.decompress(joined, sizes: sizes) == first + second + third)
        }
    }

    @Test("an empty member between two others is skipped")
    func emptyMember() throws {
        let joined =
            try GzipHelpers.compress(Array("a".utf8)) + GzipHelpers.compress([]) + GzipHelpers.compress(Array("b".utf8))
        #expect(try GzipHelpers.decompress(joined) == Array("ab".utf8))
    }

    @Test("garbage after the magic bytes is a GzipError")
    func garbageAfterMagic() throws {
        var garbage: [UInt8] = [0x1F, 0x8B]
        garbage += GzipHelpers.randomish(200, seed: 3).map { $0 | 0x80 }
        let inflater = try GzipInflater()
        #expect(throws: GzipError.self) {
            try garbage.withUnsafeBytes { try inflater.inflate($0) { _ in } }
        }
    }

    @Test("a corrupted deflate body is a GzipError")
    func corruptedBody() throws {
        var compressed = try GzipHelpers.compress(GzipHelpers.randomish(100_000, seed: 5))
        for index in stride(from: 20, to: compressed.count - 8, by: 97) { compressed[index] ^= 0x5A }
        #expect(throws: GzipError.self) { try GzipHelpers.decompress(compressed) }
    }

    @Test("a truncated stream fails finish()", arguments: [0.5, 0.99])
    func truncated(fraction: Double) throws {
        let data = GzipHelpers.randomish(200_000, seed: 9)
        let compressed = try GzipHelpers.compress(data)
        let cut = Array(compressed.prefix(Int(Double(compressed.count) * fraction)))
        let inflater = try GzipInflater()
        var output: [UInt8] = []
        try cut.withUnsafeBytes { try inflater.inflate($0) { output.append(contentsOf: $0) } }
        #expect(data.starts(with: output), "what was decoded is a prefix of the input")
        #expect(throws: GzipError.self) { try inflater.finish() }
    }

    @Test("a stream missing only its trailer fails finish()")
    func missingTrailer() throws {
        let compressed = try GzipHelpers.compress(Array("complete body, no trailer".utf8))
        #expect(throws: GzipError.self) { try GzipHelpers.decompress(Array(compressed.dropLast(8))) }
    }

    @Test("a second member cut short fails finish()")
    func truncatedSecondMember() throws {
        let second = try GzipHelpers.compress(GzipHelpers.randomish(50_000, seed: 21))
        let joined = try GzipHelpers.compress(Array("whole".utf8)) + second.prefix(second.count / 2)
        #expect(throws: GzipError.self) { try GzipHelpers.decompress(joined) }
    }
}
