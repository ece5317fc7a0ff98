import Dispatch
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Applies an `AddressPolicy` to a relay URL's host: what `RelayClient.connect` hands NIO to
/// connect to.
enum AddressResolver {
    /// The host to connect to: under `.any` the URL's own host (NIO resolves it); under
    /// `.publicOnly` the first public address the host stands for, as an IP literal, so NIO's own
    /// lookup cannot answer differently from the one checked. Throws `RelayClientError`
    /// (`.addressRefused`, `.connectionFailed` when DNS fails, `.timedOut` after `timeout`) or
    /// `CancellationError`.
    static func connectHost(
        for url: RelayURL, policy: AddressPolicy, timeout: Duration,
        on eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.any()
    ) async throws -> String {
        guard policy == .publicOnly else { return url.host }
        if let reason = AddressPolicy.refusalWithoutLookup(host: url.host) {
            throw RelayClientError.addressRefused("\(url.text): \(reason)")
        }
        // A literal needs no lookup. A form this parser does not know goes to getaddrinfo below,
        // whose answer is checked all the same.
        if let literal = IPAddressLiteral.bytes(url.host) {
            guard IPAddressClassifier.isPublicUnicast(literal), let text = IPAddressLiteral.text(literal) else {
                let shown = IPAddressLiteral.text(literal) ?? url.host
                let written = shown == url.host ? "" : " (\(shown))"
                throw RelayClientError.addressRefused("\(url.text): \(url.host)\(written) is not a public address")
            }
            return text
        }
        let addresses: [[UInt8]]
        switch await lookUp(url.host, timeout: timeout, on: eventLoop) {
        case .addresses(let found): addresses = found
        case .failed(let reason): throw RelayClientError.connectionFailed("\(url.text): DNS lookup failed: \(reason)")
        case .timedOut: throw RelayClientError.timedOut("no DNS answer for \(url.host) within \(timeout)")
        case .cancelled: throw CancellationError()
        }
        guard let chosen = addresses.first(where: IPAddressClassifier.isPublicUnicast),
            let text = IPAddressLiteral.text(chosen)
        else {
            let listed = addresses.compactMap(IPAddressLiteral.text).joined(separator: ", ")
            throw RelayClientError.addressRefused(
                "\(url.text): \(url.host) resolves only to non-public addresses (\(listed))")
        }
        return text
    }

    /// How a lookup ended.
    enum Outcome: Sendable {
        case addresses([[UInt8]])
        case failed(String)
        case timedOut
        case cancelled
    }

    /// Resolves `host` with `getaddrinfo` on a Dispatch thread (it blocks, so never on an event loop
    /// or the concurrency pool), waiting at most `timeout`. `getaddrinfo` cannot be interrupted: on
    /// timeout or cancellation its thread finishes on its own and the answer is dropped.
    static func lookUp(
        _ host: String, timeout: Duration, on eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.any()
    ) async -> Outcome {
        let outcome = FirstOutcome<Outcome>()
        let timer = eventLoop.scheduleTask(in: TimeAmount(timeout)) { outcome.offer(.timedOut) }
        DispatchQueue.global().async { outcome.offer(blockingLookUp(host)) }
        let result = await withTaskCancellationHandler {
            await outcome.wait()
        } onCancel: {
            outcome.offer(.cancelled)
        }
        timer.cancel()
        return result
    }

    /// Every distinct address `getaddrinfo` gives for `host`, in its order (RFC 6724: the reachable
    /// and preferred first).
    private static func blockingLookUp(_ host: String) -> Outcome {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0 else { return .failed(String(cString: gai_strerror(status))) }
        defer { freeaddrinfo(list) }
        var addresses: [[UInt8]] = []
        var entry = list
        while let current = entry?.pointee {
            entry = current.ai_next
            guard let socketAddress = current.ai_addr else { continue }
            let bytes: [UInt8]
            switch Int32(socketAddress.pointee.sa_family) {
            case AF_INET:
                bytes = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    withUnsafeBytes(of: $0.pointee.sin_addr) { Array($0) }
                }
            case AF_INET6:
                bytes = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    withUnsafeBytes(of: $0.pointee.sin6_addr) { Array($0) }
                }
            default:
                continue
            }
            if !addresses.contains(bytes) { addresses.append(bytes) }
        }
        return .addresses(addresses)
    }
}

/// A value that several parties race to give (the lookup, its timer, cancellation): the first one
/// offered is what `wait` returns, whether it came before or after the wait began.
private final class FirstOutcome<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var waiter: CheckedContinuation<Value, Never>?
        var delivered = false
    }

    private let state = Mutex(State())

    func offer(_ value: Value) {
        let waiter = state.withLock { state -> CheckedContinuation<Value, Never>? in
            guard state.value == nil, !state.delivered else { return nil }
            guard let waiter = state.waiter.take() else {
                state.value = value
                return nil
            }
            state.delivered = true
            return waiter
        }
        waiter?.resume(returning: value)
    }

    func wait() async -> Value {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Value? in
                guard let value = state.value else {
                    state.waiter = continuation
                    return nil
                }
                state.delivered = true
                return value
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
