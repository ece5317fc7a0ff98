extension ClientMessage {
    /// Appends the message's compact JSON to `output`: what a client sends. Events are written as
    /// `Event.storageJSON()` (their raw JSON when already compact), filters with
    /// `Filter.writeJSON(to:)`, negentropy messages as lowercase hex. `ClientMessage.parse` reads
    /// every message back to an equal one.
    public func write(to output: inout [UInt8]) {
        func appendType(_ type: String) {
            output.append(UInt8(ascii: "["))
            JSONWriter.appendString(type, to: &output)
        }
        func appendString(_ value: String) {
            output.append(UInt8(ascii: ","))
            JSONWriter.appendString(value, to: &output)
        }
        func appendFilter(_ filter: Filter) {
            output.append(UInt8(ascii: ","))
            filter.writeJSON(to: &output)
        }
        func appendHex(_ bytes: [UInt8]) {
            output.append(contentsOf: #",""#.utf8)
            bytes.withUnsafeBytes { Hex.append($0, to: &output) }
            output.append(UInt8(ascii: "\""))
        }

        switch self {
        case .event(let event), .auth(let event):
            appendType(isAuth ? "AUTH" : "EVENT")
            output.append(UInt8(ascii: ","))
            output.append(contentsOf: event.storageJSON())
        case .request(let subscriptionID, let filters):
            appendType("REQ")
            appendString(subscriptionID)
            for filter in filters { appendFilter(filter) }
        case .close(let subscriptionID):
            appendType("CLOSE")
            appendString(subscriptionID)
        case .count(let subscriptionID, let filters):
            appendType("COUNT")
            appendString(subscriptionID)
            for filter in filters { appendFilter(filter) }
        case .negentropyOpen(let subscriptionID, let filter, let message):
            appendType("NEG-OPEN")
            appendString(subscriptionID)
            appendFilter(filter)
            appendHex(message)
        case .negentropyMessage(let subscriptionID, let message):
            appendType("NEG-MSG")
            appendString(subscriptionID)
            appendHex(message)
        case .negentropyClose(let subscriptionID):
            appendType("NEG-CLOSE")
            appendString(subscriptionID)
        }
        output.append(UInt8(ascii: "]"))
    }

    /// The message as JSON bytes.
    public var encoded: [UInt8] {
        var output: [UInt8] = []
        write(to: &output)
        return output
    }

    /// The message as JSON text.
    public var jsonString: String { String(decoding: encoded, as: UTF8.self) }

    /// Whether this is an `AUTH` message (which shares its shape with `EVENT`).
    private var isAuth: Bool {
        if case .auth = self { return true }
        return false
    }
}
