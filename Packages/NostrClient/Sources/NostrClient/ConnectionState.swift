import HummingbirdWSClient
import NIOCore
import NIOPosix
import NIOWebSocket
import Synchronization

/// Why a connection ended, as first noticed: later symptoms of the same end (the relay echoing our
/// close frame, the socket closing) do not overwrite the cause.
enum ConnectionEnding: Sendable, Equatable {
    case closedByClient
    case idle(Duration)
    case messageTooLarge(limit: Int)
    case closedByRelay(code: UInt16?, reason: String)
    case closedByUs(code: UInt16)
    /// We sent 1011: a frame could not be processed, almost always because it inflated past the limit.
    case unprocessableFrame(limit: Int)
    case failed(String)
    case droppedWithoutCloseFrame

    var description: String {
        switch self {
        case .closedByClient: "closed by the client"
        case .idle(let timeout): "nothing from the relay for \(timeout) (idle timeout)"
        case .messageTooLarge(let limit): "the relay sent a message over \(limit) bytes (closed with 1009)"
        case .closedByRelay(let code, let reason):
            "the relay closed the connection (code \(code.map(String.init) ?? "none")"
                + (reason.isEmpty ? ")" : ": \(reason.prefix(RelayResponse.displayLength)))")
        case .closedByUs(let code): "closed after a protocol error from the relay (sent close code \(code))"
        case .unprocessableFrame(let limit):
            "a frame from the relay could not be processed: inflated over \(limit) bytes, or corrupt (closed with 1011)"
        case .failed(let error): "connection lost: \(error)"
        case .droppedWithoutCloseFrame: "the relay dropped the connection without a close frame"
        }
    }
}

/// What a connection's parts share: the relay's URL, the channel (so a timeout can close it), the
/// outbound writer once the upgrade is done, why the connection ended, and the counters.
///
/// The channel initializer, the `ConnectionWatchdog` on the event loop, the reader task and the
/// `RelayClient` all hold it; it holds none of them, so no cycle keeps a connection alive.
final class ConnectionState: Sendable {
    let url: RelayURL
    let statistics = StatisticsCounters()
    /// Whether permessage-deflate was negotiated (set once, at the upgrade).
    let compressed = Atomic<Bool>(false)

    private struct Shared {
        var channel: (any Channel)?
        /// `connect` gave up: a channel created from now on is closed at once.
        var abandoned = false
        var outbound: WebSocketOutboundWriter?
        /// The outcome of connecting, once known, and who waits for it.
        var connected: Result<WebSocketOutboundWriter, RelayClientError>?
        var connectWaiter: CheckedContinuation<Result<WebSocketOutboundWriter, RelayClientError>, Never>?
        var ending: ConnectionEnding?
    }

    private let shared = Mutex(Shared())

    init(url: RelayURL) {
        self.url = url
    }

    // MARK: Connecting

    /// The channel NIO created for this connection; false (and the channel is closed) if `connect`
    /// has already given up on it.
    func adopt(_ channel: any Channel) -> Bool {
        let keep = shared.withLock { shared -> Bool in
            guard !shared.abandoned else { return false }
            shared.channel = channel
            return true
        }
        if !keep { channel.close(promise: nil) }
        return keep
    }

    /// The upgrade is done: `connect` can return. False if it has given up already.
    func didConnect(_ outbound: WebSocketOutboundWriter) -> Bool {
        resolveConnect(.success(outbound))
    }

    /// Waits until the connection is up or has failed, at most `timeout` (timed on `eventLoop`) and
    /// no longer than the task is not cancelled; on timeout or cancellation the channel, or the one
    /// still to come, is closed.
    func waitUntilConnected(
        timeout: Duration, on eventLoop: any EventLoop
    ) async -> Result<WebSocketOutboundWriter, RelayClientError> {
        let url = url.text
        let timer = eventLoop.scheduleTask(in: TimeAmount(timeout)) { [weak self] in
            self?.resolveConnect(.failure(.timedOut("no WebSocket connection to \(url) within \(timeout)")))
        }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = shared.withLock { shared -> Result<WebSocketOutboundWriter, RelayClientError>? in
                    if let connected = shared.connected { return connected }
                    shared.connectWaiter = continuation
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            resolveConnect(.failure(.connectionFailed("\(url): cancelled")))
        }
        timer.cancel()
        return result
    }

    /// Settles the outcome of connecting, once; a failure abandons the channel. Returns whether
    /// `result` was the outcome (false if another came first).
    @discardableResult
    private func resolveConnect(_ result: Result<WebSocketOutboundWriter, RelayClientError>) -> Bool {
        let (settled, waiter, channel) = shared.withLock {
            shared -> (
                Bool, CheckedContinuation<Result<WebSocketOutboundWriter, RelayClientError>, Never>?, (any Channel)?
            ) in
            guard shared.connected == nil else { return (false, nil, nil) }
            shared.connected = result
            switch result {
            case .success(let outbound):
                shared.outbound = outbound
                return (true, shared.connectWaiter.take(), nil)
            case .failure:
                shared.abandoned = true
                return (true, shared.connectWaiter.take(), shared.channel)
            }
        }
        channel?.close(promise: nil)
        waiter?.resume(returning: result)
        return settled
    }

    // MARK: Running

    /// The writer to the relay, while the connection is up.
    var outbound: WebSocketOutboundWriter? { shared.withLock { $0.ending == nil ? $0.outbound : nil } }

    /// The channel, if NIO has created it.
    var channel: (any Channel)? { shared.withLock { $0.channel } }

    /// Notes why the connection ends, unless a cause is known already.
    func record(_ ending: ConnectionEnding) {
        shared.withLock { shared in
            if shared.ending == nil { shared.ending = ending }
        }
    }

    /// Why the connection ended (nil while it is up).
    var ending: ConnectionEnding? { shared.withLock { $0.ending } }

    /// The connection task has ended, with `error` if it failed: settles `connect` if it still waits
    /// (as `connectionFailed`) and otherwise notes the cause if none is known.
    func connectionEnded(error: (any Error)?) {
        let failure: RelayClientError =
            error.map { .connectionFailed("\(url.text): \(ConnectionState.describe($0))") }
            ?? .connectionFailed("\(url.text): the connection ended during the handshake")
        if resolveConnect(.failure(failure)) { return }
        record(error.map { .failed(ConnectionState.describe($0)) } ?? .droppedWithoutCloseFrame)
    }

    /// An error in words. NIO's own descriptions are exact ("Connection refused (errno: 111)");
    /// a failed connect lists each address tried with its error.
    static func describe(_ error: any Error) -> String {
        guard let failure = error as? NIOConnectionError else { return String(describing: error) }
        if let dnsError = failure.dnsAError ?? failure.dnsAAAAError { return "DNS lookup failed: \(dnsError)" }
        let attempts = failure.connectionErrors.map { "\($0.target): \($0.error)" }
        return attempts.isEmpty ? "could not connect" : attempts.joined(separator: "; ")
    }
}
