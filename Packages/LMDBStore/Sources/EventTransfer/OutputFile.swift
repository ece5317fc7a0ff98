#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file (or standard output, `-`) written through a large buffer, gzip-compressed when its
/// name ends in `.gz`.
public final class OutputFile {
    /// The name given, for messages.
    public let name: String
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private let deflater: GzipDeflater?
    private var buffer: [UInt8] = []

    /// Creates (or truncates) `path`; `-` is standard output.
    public init(path: String) throws(TransferError) {
        name = path
        if path == "-" {
            descriptor = STDOUT_FILENO
            ownsDescriptor = false
        } else {
            descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard descriptor >= 0 else { throw TransferError.io(file: path, InputFile.errnoText()) }
            ownsDescriptor = true
        }
        do {
            deflater = path.hasSuffix(".gz") ? try GzipDeflater() : nil
        } catch {
            throw TransferError.io(file: path, error.description)
        }
        buffer.reserveCapacity(1 << 20)
    }

    deinit { if ownsDescriptor { close(descriptor) } }

    /// Appends `bytes` (compressing them when writing gzip).
    public func write(_ bytes: UnsafeRawBufferPointer) throws(TransferError) {
        if let deflater {
            do {
                try deflater.deflate(bytes) { compressed in try self.append(compressed) }
            } catch let error as TransferError {
                throw error
            } catch {
                throw TransferError.io(file: name, "\(error)")
            }
        } else {
            buffer.append(contentsOf: bytes)
            if buffer.count >= 1 << 20 { try flush() }
        }
    }

    /// Appends `bytes` and a newline.
    public func writeLine(_ bytes: UnsafeRawBufferPointer) throws(TransferError) {
        try write(bytes)
        do {
            try Self.newline.withUnsafeBytes { try write($0) }
        } catch let error as TransferError {
            throw error
        } catch {
            throw TransferError.io(file: name, "\(error)")
        }
    }

    private static let newline: [UInt8] = [0x0A]

    /// Writes everything buffered (and the gzip trailer) and, for a file, syncs it to disk.
    public func finish() throws(TransferError) {
        if let deflater {
            do {
                try deflater.finish { compressed in try self.append(compressed) }
            } catch let error as TransferError {
                throw error
            } catch {
                throw TransferError.io(file: name, "\(error)")
            }
        }
        try flush()
        if ownsDescriptor && fsync(descriptor) != 0 { throw TransferError.io(file: name, InputFile.errnoText()) }
    }

    private func append(_ bytes: ArraySlice<UInt8>) throws(TransferError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { try flush() }
    }

    private func flush() throws(TransferError) {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { bytes in
                systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw TransferError.io(file: name, InputFile.errnoText())
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(descriptor, bytes, count)
    #else
    Darwin.write(descriptor, bytes, count)
    #endif
}
