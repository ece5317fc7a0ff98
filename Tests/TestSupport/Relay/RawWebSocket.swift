import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A WebSocket client on a plain blocking socket that sends what it is told and reads only when
/// asked: the misbehaving client (one that stops reading, or sends frames of any opcode, fragmented
/// or not, with any payload bytes, such as text that is not UTF-8) the WebSocket client library
/// cannot be.
///
/// Its blocking calls run on a Dispatch thread, never on the concurrency pool the in-process relay
/// needs (two blocked pool threads would starve it on a 2-core machine).
public final class RawWebSocket: @unchecked Sendable {
    private let socket: Int32
    private var closed = false
    /// The relay's `101 Switching Protocols` answer, headers included.
    public private(set) var upgradeAnswer = ""

    /// Connects to 127.0.0.1:`port` and completes the upgrade handshake (with `extensions` in a
    /// `Sec-WebSocket-Extensions` header when given, and any other `headers`), with a small receive buffer so the kernel
    /// holds little for a client that does not read.
    public static func connect(
        port: Int, extensions: String? = nil, headers: [String: String] = [:]
    ) async throws -> RawWebSocket {
        try await offThePool { try RawWebSocket(port: port, extensions: extensions, headers: headers) }
    }

    private init(port: Int, extensions: String?, headers: [String: String]) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw TestFailure("socket() failed: errno \(errno)") }
        var receiveBuffer: Int32 = 4096
        setsockopt(socket, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            Glibc.close(socket)
            throw TestFailure("connect() to port \(port) failed: errno \(errno)")
        }
        try write(
            Array(
                ("GET / HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    + (extensions.map { "Sec-WebSocket-Extensions: \($0)\r\n" } ?? "")
                    + headers.map { "\($0.key): \($0.value)\r\n" }.joined() + "\r\n").utf8))
        // Read the 101 answer byte by byte so no frame after it is consumed.
        var head: [UInt8] = []
        var byte: UInt8 = 0
        while !head.ends(with: Array("\r\n\r\n".utf8)) {
            guard recv(socket, &byte, 1, 0) == 1 else { throw TestFailure("the upgrade answer ended early") }
            head.append(byte)
        }
        upgradeAnswer = String(decoding: head, as: UTF8.self)
        guard upgradeAnswer.hasPrefix("HTTP/1.1 101") else { throw TestFailure("upgrade refused: \(upgradeAnswer)") }
    }

    deinit { close() }

    /// Closes the socket (no close frame: the abrupt end a crashed client gives).
    public func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(socket)
    }

    /// A frame from the relay.
    public struct Frame: Sendable, CustomStringConvertible {
        /// The opcode (`RawWebSocket.text`, `.close`, ...).
        public var opcode: UInt8
        /// The payload (servers do not mask).
        public var payload: [UInt8]

        /// The payload as text.
        public var text: String { String(decoding: payload, as: UTF8.self) }
        /// A close frame's status code.
        public var closeCode: Int? {
            opcode == RawWebSocket.close && payload.count >= 2 ? Int(payload[0]) << 8 | Int(payload[1]) : nil
        }
        public var description: String { "opcode \(opcode): \(text)" }
    }

    /// The continuation opcode.
    public static let continuation: UInt8 = 0x0
    /// The text opcode.
    public static let text: UInt8 = 0x1
    /// The close opcode.
    public static let close: UInt8 = 0x8

    /// Sends `text` as one masked text frame.
    public func send(text: String) throws {
        try send(opcode: Self.text, Array(text.utf8))
    }

    /// Sends one masked frame of `opcode` with `payload` as it is, final unless `fin` is false.
    public func send(opcode: UInt8, fin: Bool = true, _ payload: [UInt8]) throws {
        var frame: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        if payload.count < 126 {
            frame.append(0x80 | UInt8(payload.count))
        } else {
            frame.append(0x80 | 126)
            frame += [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        }
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        try write(frame)
    }

    /// The next frame from the relay. Nil when the connection ends first or nothing arrives within
    /// `seconds`.
    public func readFrame(seconds: Int = 5) async -> Frame? {
        await offThePool { self.blockingReadFrame(seconds: seconds) }
    }

    /// Frames until (and with) the relay's close frame, or until the connection ends or goes quiet.
    public func framesUntilClose(seconds: Int = 5) async -> [Frame] {
        var frames: [Frame] = []
        while let frame = await readFrame(seconds: seconds) {
            frames.append(frame)
            if frame.opcode == Self.close { break }
        }
        return frames
    }

    private func blockingReadFrame(seconds: Int) -> Frame? {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let head = read(count: 2) else { return nil }
        var length = Int(head[1] & 0x7F)
        if length == 126 {
            guard let extended = read(count: 2) else { return nil }
            length = Int(extended[0]) << 8 | Int(extended[1])
        } else if length == 127 {
            guard let extended = read(count: 8) else { return nil }
            length = extended.reduce(0) { $0 << 8 | Int($1) }
        }
        guard let payload = read(count: length) else { return nil }
        return Frame(opcode: head[0] & 0x0F, payload: payload)
    }

    /// The next text message from the relay, if the next frame is one.
    public func readText(seconds: Int = 5) async -> String? {
        guard let frame = await readFrame(seconds: seconds), frame.opcode == Self.text else { return nil }
        return frame.text
    }

    private func read(count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let received = bytes[filled...].withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            guard received > 0 else { return nil }
            filled += received
        }
        return bytes
    }

    /// Reads and discards everything until the relay closes the connection; false if it is still
    /// open after `seconds`.
    public func drainUntilClosed(seconds: Int) async -> Bool {
        await offThePool { self.blockingDrain(seconds: seconds) }
    }

    private func blockingDrain(seconds: Int) -> Bool {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count == 0 { return true }
            if count < 0 { return errno == ECONNRESET }
        }
    }

    private func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw TestFailure("send() failed: errno \(errno)") }
            offset += sent
        }
    }
}

/// Runs blocking `work` on a Dispatch thread and awaits its result.
private func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}

private func offThePool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: work()) }
    }
}

extension Array where Element: Equatable {
    fileprivate func ends(with suffix: [Element]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
