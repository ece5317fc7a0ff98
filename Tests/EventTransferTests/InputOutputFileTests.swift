import Dispatch
import Foundation
import Testing

@testable import EventTransfer

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("InputFile and OutputFile")
struct InputOutputFileTests {
    static let text = Array((0..<2000).map { "line \($0) 🦄 \\ \"q\"\n" }.joined().utf8)

    @Test("OutputFile writes plain text unless the name ends in .gz")
    func outputCompressesByName() throws {
        try TransferFixtures.withTemporaryDirectory { directory in
            for name in ["plain.jsonl", "packed.jsonl.gz"] {
                let path = directory + "/" + name
                let output = try OutputFile(path: path)
                try Self.text.withUnsafeBytes { try output.write($0) }
                try output.finish()
                let raw = try #require(FileManager.default.contents(atPath: path))
                if name.hasSuffix(".gz") {
                    #expect(raw.starts(with: [0x1F, 0x8B]))
                    #expect(raw.count < Self.text.count)
                } else {
                    #expect(Array(raw) == Self.text)
                }
                #expect(try TransferFixtures.readAll(path) == Self.text)
            }
        }
    }

    @Test("gzip is recognised by its magic bytes whatever the file's name")
    func gzipByContent() throws {
        try TransferFixtures.withTemporaryDirectory { directory in
            let packed = directory + "/events.gz"
            try TransferFixtures.writeLines(packed, [Array("{}".utf8)])
            let misnamed = directory + "/events.jsonl"
            try FileManager.default.moveItem(atPath: packed, toPath: misnamed)
            let input = try InputFile(path: misnamed)
            var bytes: [UInt8] = []
            while try input.read({ bytes.append(contentsOf: $0) }) {}
            #expect(input.isGzip)
            #expect(bytes == Array("{}\n".utf8))
            #expect(input.bytesRead == input.size)
            #expect(input.name == misnamed)
        }
    }

    @Test("a plain file is read as is, its size and bytes read agree")
    func plainFile() throws {
        try TransferFixtures.withTemporaryDirectory { directory in
            let path = directory + "/plain.txt.gz"
            try TransferFixtures.writeFile(path, Self.text)
            let input = try InputFile(path: path)
            var bytes: [UInt8] = []
            while try input.read({ bytes.append(contentsOf: $0) }) {}
            #expect(!input.isGzip, "a .gz name without gzip content is plain")
            #expect(bytes == Self.text)
            #expect(input.size == Int64(Self.text.count))
            #expect(input.bytesRead == Int64(Self.text.count))
        }
    }

    @Test("a multi-member gzip file (cat a.gz b.gz) reads as both contents")
    func multiMemberFile() throws {
        try TransferFixtures.withTemporaryDirectory { directory in
            let first = try GzipHelpers.compress(Array(Self.text.prefix(1000)))
            let second = try GzipHelpers.compress(Array(Self.text.dropFirst(1000)))
            let path = directory + "/joined.gz"
            try TransferFixtures.writeFile(path, first + second)
            #expect(try TransferFixtures.readAll(path) == Self.text)
        }
    }

    @Test("gzip is recognised on a pipe whose first read returns a single byte")
    func gzipOnSlowPipe() throws {
        // Small enough for the pipe's buffer, so the writer never blocks on a reader that stopped.
        let text = Array(Self.text.prefix(4000))
        let compressed = try GzipHelpers.compress(text)
        try TransferFixtures.withTemporaryDirectory { directory in
            let path = directory + "/pipe"
            try #require(mkfifo(path, 0o600) == 0)
            // The writer sends the first byte alone, then waits until the reader has taken it (or
            // a moment has passed, should a reader rightly wait for more) before sending the rest.
            let firstByteTaken = DispatchSemaphore(value: 0)
            let writerDone = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                let descriptor = open(path, O_WRONLY)
                _ = compressed.withUnsafeBytes { write(descriptor, $0.baseAddress!, 1) }
                _ = firstByteTaken.wait(timeout: .now() + .milliseconds(300))
                _ = compressed.withUnsafeBytes { write(descriptor, $0.baseAddress! + 1, $0.count - 1) }
                close(descriptor)
                writerDone.signal()
            }
            let input = try InputFile(path: path)
            var bytes: [UInt8] = []
            while try input.read({
                bytes.append(contentsOf: $0)
                firstByteTaken.signal()
            }) {}
            writerDone.wait()
            #expect(input.isGzip)
            let intact = bytes == text
            #expect(intact, "\(bytes.count) bytes read, starting \(Array(bytes.prefix(4)))")
        }
    }

    @Test("a truncated gzip file is an I/O error naming the file")
    func truncatedFile() throws {
        try TransferFixtures.withTemporaryDirectory { directory in
            let compressed = try GzipHelpers.compress(Self.text)
            let path = directory + "/cut.jsonl.gz"
            try TransferFixtures.writeFile(path, Array(compressed.prefix(compressed.count - 6)))
            let error = #expect(throws: TransferError.self) { try TransferFixtures.readAll(path) }
            guard case .io(let file, _) = error else {
                Issue.record("expected an I/O error, got \(String(describing: error))")
                return
            }
            #expect(file == path)
        }
    }

    @Test("a corrupt gzip file is an I/O error naming the file")
    func corruptFile() throws {
        try TransferFixtures.withTemporaryDirectory { directory in
            let path = directory + "/corrupt.gz"
            try TransferFixtures.writeFile(path, [0x1F, 0x8B] + Array(repeating: 0xEE, count: 100))
            let error = #expect(throws: TransferError.self) { try TransferFixtures.readAll(path) }
            guard case .io(let file, _) = error else {
                Issue.record("expected an I/O error, got \(String(describing: error))")
                return
            }
            #expect(file == path)
        }
    }

    @Test("a missing file is an I/O error naming it")
    func missingFile() {
        let path = "/nonexistent-\(UUID().uuidString)/events.jsonl"
        let error = #expect(throws: TransferError.self) { try InputFile(path: path) }
        guard case .io(let file, _) = error else {
            Issue.record("expected an I/O error, got \(String(describing: error))")
            return
        }
        #expect(file == path)
        #expect(error?.description.hasPrefix(path + ": ") == true)
    }

    @Test("an importer reports a corrupt gzip input as an I/O error")
    func importerCorruptInput() throws {
        try TransferFixtures.withTemporaryDirectory { directory in
            let path = directory + "/corrupt.jsonl.gz"
            let compressed = try GzipHelpers.compress(Self.text)
            try TransferFixtures.writeFile(path, Array(compressed.prefix(compressed.count / 2)))
            try TransferFixtures.withStore { store in
                #expect(throws: TransferError.self) { try TransferFixtures.importFiles([path], into: store) }
            }
        }
    }
}
