import Foundation
import PurplePagesTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A WebSocket client on a plain socket that sends frames exactly as told: any opcode, FIN or not,
/// any payload bytes (a text frame that is not UTF-8, a character split between fragments), which
/// neither a WebSocket library nor `RawWebSocket` (text from a `String`) can send.
///
/// Its blocking calls run on a Dispatch thread, never on the concurrency pool the in-process relay
/// needs.
final class FrameSocket: @unchecked Sendable {
    /// A frame from the relay.
    struct Frame {
        var opcode: UInt8
        var payload: [UInt8]

        /// The payload as text.
        var text: String { String(decoding: payload, as: UTF8.self) }
        /// A close frame's status code.
        var closeCode: Int? { opcode == 0x8 && payload.count >= 2 ? Int(payload[0]) << 8 | Int(payload[1]) : nil }
    }

    static let text: UInt8 = 0x1
    static let continuation: UInt8 = 0x0
    static let close: UInt8 = 0x8

    private let socket: Int32

    /// Connects to 127.0.0.1:`port` and completes the upgrade handshake.
    static func connect(port: Int) async throws -> FrameSocket {
        try await offThePool { try FrameSocket(port: port) }
    }

    private init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw TestFailure("socket() failed: errno \(errno)") }
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
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").utf8))
        var head: [UInt8] = []
        while !(head.count >= 4 && Array(head.suffix(4)) == Array("\r\n\r\n".utf8)) {
            guard let byte = read(count: 1) else { throw TestFailure("the upgrade answer ended early") }
            head += byte
        }
        guard String(decoding: head, as: UTF8.self).hasPrefix("HTTP/1.1 101") else {
            throw TestFailure("upgrade refused: \(String(decoding: head, as: UTF8.self))")
        }
    }

    deinit { Glibc.close(socket) }

    /// Sends one masked frame of `opcode` with `payload`, final unless `fin` is false.
    func send(opcode: UInt8, fin: Bool = true, _ payload: [UInt8]) throws {
        var frame: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        if payload.count < 126 {
            frame.append(0x80 | UInt8(payload.count))
        } else {
            frame.append(0x80 | 126)
            frame += [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        }
        let mask: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        try write(frame)
    }

    /// The next frame from the relay; nil when the connection ends first or nothing arrives within
    /// `seconds`.
    func readFrame(seconds: Int = 5) async -> Frame? {
        await offThePool {
            var timeout = timeval(tv_sec: seconds, tv_usec: 0)
            setsockopt(self.socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            guard let head = self.read(count: 2) else { return nil }
            var length = Int(head[1] & 0x7F)
            if length == 126 {
                guard let extended = self.read(count: 2) else { return nil }
                length = Int(extended[0]) << 8 | Int(extended[1])
            } else if length == 127 {
                guard let extended = self.read(count: 8) else { return nil }
                length = extended.reduce(0) { $0 << 8 | Int($1) }
            }
            guard let payload = self.read(count: length) else { return nil }
            return Frame(opcode: head[0] & 0x0F, payload: payload)
        }
    }

    /// Frames until (and with) the relay's close frame, or until the connection ends or goes quiet.
    func framesUntilClose(seconds: Int = 5) async -> [Frame] {
        var frames: [Frame] = []
        while let frame = await readFrame(seconds: seconds) {
            frames.append(frame)
            if frame.opcode == Self.close { break }
        }
        return frames
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
