import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A WebSocket client on a plain blocking socket that sends what it is told and reads only when
/// asked: the misbehaving client (one that stops reading) the WebSocket client library cannot be.
final class RawWebSocket {
    private let socket: Int32
    private var closed = false
    /// The relay's `101 Switching Protocols` answer, headers included.
    private(set) var upgradeAnswer = ""

    /// Connects to 127.0.0.1:`port` and completes the upgrade handshake (with `extensions` in a
    /// `Sec-WebSocket-Extensions` header when given), with a small receive buffer so the kernel
    /// holds little for a client that does not read.
    init(port: Int, extensions: String? = nil) throws {
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
                    + (extensions.map { "Sec-WebSocket-Extensions: \($0)\r\n" } ?? "") + "\r\n").utf8))
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
    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(socket)
    }

    /// Sends `text` as one masked text frame.
    func send(text: String) throws {
        let payload = Array(text.utf8)
        var frame: [UInt8] = [0x81]
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

    /// Reads and discards everything until the relay closes the connection; false if it is still
    /// open after `seconds`.
    func drainUntilClosed(seconds: Int) -> Bool {
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

extension Array where Element: Equatable {
    fileprivate func ends(with suffix: [Element]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
