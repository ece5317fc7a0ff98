import CZlib

/// A gzip (or zlib) stream that is not valid, or a zlib failure.
public struct GzipError: Error, Sendable, CustomStringConvertible {
    /// zlib's message.
    public let description: String
}

/// Streaming gzip decompression, every member of a multi-member file in turn (as `gzip -d` does).
///
/// The `z_stream` lives at a fixed address (zlib keeps a pointer back to it).
final class GzipInflater {
    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    private var output = [UInt8](repeating: 0, count: 1 << 18)
    private var ended = false

    init() throws(GzipError) {
        stream.initialize(to: z_stream())
        // 15 + 32: the largest window, and a gzip or zlib header detected automatically.
        guard inflateInit2_(stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            stream.deallocate()
            throw GzipError(description: "zlib could not start")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Decompresses `input`, handing each piece of output to `body`.
    func inflate(_ input: UnsafeRawBufferPointer, _ body: (ArraySlice<UInt8>) throws -> Void) throws {
        guard let base = input.baseAddress, !input.isEmpty else { return }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: UInt8.self))
        stream.pointee.avail_in = UInt32(input.count)
        while stream.pointee.avail_in > 0 {
            if ended {
                // A new member follows the end of the previous one.
                guard inflateReset(stream) == Z_OK else { throw GzipError(description: "zlib reset failed") }
                ended = false
            }
            let (status, produced) = output.withUnsafeMutableBufferPointer { buffer -> (Int32, Int) in
                stream.pointee.next_out = buffer.baseAddress
                stream.pointee.avail_out = UInt32(buffer.count)
                let status = CZlib.inflate(stream, Z_NO_FLUSH)
                return (status, buffer.count - Int(stream.pointee.avail_out))
            }
            if produced > 0 { try body(output[..<produced]) }
            switch status {
            case Z_OK: continue
            case Z_STREAM_END: ended = true
            case Z_BUF_ERROR where produced > 0: continue
            case Z_BUF_ERROR: return
            default: throw GzipError(description: Self.message(stream, status))
            }
        }
    }

    /// Throws unless the stream ended cleanly (a truncated file).
    func finish() throws(GzipError) {
        guard ended || stream.pointee.total_in == 0 else {
            throw GzipError(description: "the gzip stream is truncated (unexpected end of file)")
        }
    }

    static func message(_ stream: UnsafeMutablePointer<z_stream>, _ status: Int32) -> String {
        if let message = stream.pointee.msg { return "invalid gzip data: " + String(cString: message) }
        return "invalid gzip data (zlib status \(status))"
    }
}

/// Streaming gzip compression for exports ending in `.gz`.
final class GzipDeflater {
    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    private var output = [UInt8](repeating: 0, count: 1 << 18)

    init(level: Int32 = 6) throws(GzipError) {
        stream.initialize(to: z_stream())
        // 15 + 16: the largest window, with a gzip header and trailer.
        let status = deflateInit2_(
            stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            throw GzipError(description: "zlib could not start")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// Compresses `input`, handing compressed pieces to `body`.
    func deflate(_ input: UnsafeRawBufferPointer, _ body: (ArraySlice<UInt8>) throws -> Void) throws {
        guard let base = input.baseAddress, !input.isEmpty else { return }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: UInt8.self))
        stream.pointee.avail_in = UInt32(input.count)
        try run(Z_NO_FLUSH, body)
    }

    /// Writes what is buffered and the gzip trailer.
    func finish(_ body: (ArraySlice<UInt8>) throws -> Void) throws {
        stream.pointee.next_in = nil
        stream.pointee.avail_in = 0
        try run(Z_FINISH, body)
    }

    private func run(_ flush: Int32, _ body: (ArraySlice<UInt8>) throws -> Void) throws {
        while true {
            let (status, produced) = output.withUnsafeMutableBufferPointer { buffer -> (Int32, Int) in
                stream.pointee.next_out = buffer.baseAddress
                stream.pointee.avail_out = UInt32(buffer.count)
                let status = CZlib.deflate(stream, flush)
                return (status, buffer.count - Int(stream.pointee.avail_out))
            }
            if produced > 0 { try body(output[..<produced]) }
            guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                throw GzipError(description: "compression failed (zlib status \(status))")
            }
            if flush == Z_FINISH ? status == Z_STREAM_END : stream.pointee.avail_in == 0 && produced < output.count {
                return
            }
        }
    }
}
