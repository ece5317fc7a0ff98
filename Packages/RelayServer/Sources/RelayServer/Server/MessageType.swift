import NostrCore

/// The `type` label of `purplepages_messages_received_total`: one value per client message type,
/// plus `unknown` (a well-formed message of a type the relay does not know) and `invalid`
/// (everything else refused before handling: not JSON, malformed, oversized, binary). A fixed set,
/// so whatever clients send, the metric keeps its ten series.
enum MessageType: Int, CaseIterable, Sendable {
    case event, request, count, close, auth, negentropyOpen, negentropyMessage, negentropyClose, unknown, invalid

    /// The label value: the message's own type name where it has one.
    var label: String {
        switch self {
        case .event: "EVENT"
        case .request: "REQ"
        case .count: "COUNT"
        case .close: "CLOSE"
        case .auth: "AUTH"
        case .negentropyOpen: "NEG-OPEN"
        case .negentropyMessage: "NEG-MSG"
        case .negentropyClose: "NEG-CLOSE"
        case .unknown: "unknown"
        case .invalid: "invalid"
        }
    }

    /// The type of a parsed message.
    init(_ message: ClientMessage) {
        switch message {
        case .event: self = .event
        case .request: self = .request
        case .count: self = .count
        case .close: self = .close
        case .auth: self = .auth
        case .negentropyOpen: self = .negentropyOpen
        case .negentropyMessage: self = .negentropyMessage
        case .negentropyClose: self = .negentropyClose
        }
    }

    /// The type of a message that failed to parse: `unknown` when it starts like a message (`[`
    /// then a string) whose type is none of ours, `invalid` otherwise (a known type that is
    /// malformed is invalid, not that type: it was never handled as one). Reads only the first few
    /// bytes and allocates nothing.
    init(unparsed bytes: [UInt8]) {
        self = .invalid
        var index = bytes.startIndex
        func skipWhitespace() {
            while index < bytes.endIndex {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }
        skipWhitespace()
        guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "[") else { return }
        index += 1
        skipWhitespace()
        guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "\"") else { return }
        let start = index + 1
        guard let end = bytes[start...].firstIndex(of: UInt8(ascii: "\"")) else { return }
        let name = bytes[start..<end]
        // An escaped type name may spell a known type; without decoding it, call it invalid.
        guard !name.contains(UInt8(ascii: "\\")) else { return }
        let known = Self.allCases.contains { $0 != .unknown && $0 != .invalid && name.elementsEqual($0.label.utf8) }
        if !known { self = .unknown }
    }
}
