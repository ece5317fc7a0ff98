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
            do {
                try inflater?.finish()
            } catch {
                throw TransferError.io(file: name, error.description)
            }
            return false
        }
        bytesRead += Int64(count)
        if !sniffed {
            sniffed = true
            // RFC 1952 magic. (A short first read of one byte cannot hold a gzip header anyway.)
            if count >= 2 && buffer[0] == 0x1F && buffer[1] == 0x8B {
                isGzip = true
                inflater = try GzipInflater()
            }
        }
        if let inflater {
            do {
                try buffer.withUnsafeBytes {
                    try inflater.inflate(UnsafeRawBufferPointer(rebasing: $0[..<count]), body)
                }
            } catch let error as GzipError {
                throw TransferError.io(file: name, error.description)
            }
        } else {
            try body(buffer[..<count])
        }
        return true
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
