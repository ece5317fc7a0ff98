#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file (or standard input, `-`) read in large chunks, decompressed on the fly when it starts
/// with gzip's magic bytes, whatever its name.
public final class InputFile {
    /// The name given (`-` for standard input), for messages.
    public let name: String
    /// The file's size on disk when it is a regular file (for progress), else nil.
    public let size: Int64?
    /// Bytes read from the file so far (compressed bytes for gzip).
    public private(set) var bytesRead: Int64 = 0
    /// Whether the content is gzip-compressed.
    public private(set) var isGzip = false

    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)
    private var inflater: GzipInflater?
    private var sniffed = false
    private var sniffBuffer: [UInt8] = []

    /// Opens `path` (`-` is standard input).
    public init(path: String) throws(TransferError) {
        name = path
        if path == "-" {
            descriptor = STDIN_FILENO
            ownsDescriptor = false
        } else {
            descriptor = open(path, O_RDONLY)
            guard descriptor >= 0 else { throw TransferError.io(file: path, Self.errnoText()) }
            ownsDescriptor = true
        }
        var info = stat()
        if fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
            size = Int64(info.st_size)
        } else {
            size = nil
        }
    }

    deinit { if ownsDescriptor { close(descriptor) } }

    /// Hands the next decompressed bytes to `body`; returns false at the end of the file.
    public func read(_ body: (ArraySlice<UInt8>) throws -> Void) throws -> Bool {
        let count = buffer.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
        guard count >= 0 else {
            if errno == EINTR { return true }
            throw TransferError.io(file: name, Self.errnoText())
        }
        if count == 0 {
            if !sniffed {
                // A one-byte (or empty) input: too short for gzip.
                try decideFormat()
                let held = sniffBuffer
                sniffBuffer = []
                if !held.isEmpty { try deliver(held[...], body) }
            }
            do {
                try inflater?.finish()
            } catch {
                throw TransferError.io(file: name, error.description)
            }
            return false
        }
        bytesRead += Int64(count)
        if !sniffed {
            // RFC 1952's magic needs two bytes; a pipe may hand over one at first.
            sniffBuffer.append(contentsOf: buffer[..<count])
            guard sniffBuffer.count >= 2 else { return true }
            try decideFormat()
            let held = sniffBuffer
            sniffBuffer = []
            try deliver(held[...], body)
            return true
        }
        try deliver(buffer[..<count], body)
        return true
    }

    private func decideFormat() throws(TransferError) {
        sniffed = true
        if sniffBuffer.count >= 2 && sniffBuffer[0] == 0x1F && sniffBuffer[1] == 0x8B {
            isGzip = true
            do {
                inflater = try GzipInflater()
            } catch {
                throw TransferError.io(file: name, error.description)
            }
        }
    }

    private func deliver(_ bytes: ArraySlice<UInt8>, _ body: (ArraySlice<UInt8>) throws -> Void) throws {
        if let inflater {
            do {
                try bytes.withUnsafeBytes { try inflater.inflate($0, body) }
            } catch let error as GzipError {
                throw TransferError.io(file: name, error.description)
            }
        } else {
            try body(bytes)
        }
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}

private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.read(descriptor, buffer, count)
    #else
    Darwin.read(descriptor, buffer, count)
    #endif
}
