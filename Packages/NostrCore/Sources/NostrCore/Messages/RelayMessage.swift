/// A message from a relay to a client, written as compact JSON (a client reads one as
/// `ReceivedRelayMessage`).
public enum RelayMessage: Sendable, Hashable {
    /// `["EVENT", <subscription id>, <event>]`; the event's JSON is spliced in as stored.
    case event(subscriptionID: String, eventJSON: [UInt8])
    /// `["OK", <event id>, <accepted>, <message>]`; the message is empty when `reason` is nil.
    case ok(eventID: EventID, accepted: Bool, reason: Reason?)
    /// `["EOSE", <subscription id>]`: the stored events have all been sent.
    case endOfStoredEvents(subscriptionID: String)
    /// `["CLOSED", <subscription id>, <reason>]`: the relay ended or refused a subscription.
    case closed(subscriptionID: String, reason: Reason)
    /// `["NOTICE", <message>]`: a human-readable message.
    case notice(String)
    /// `["AUTH", <challenge>]`: a NIP-42 challenge.
    case auth(challenge: String)
    /// `["COUNT", <subscription id>, {"count": n, "approximate"?: true}]` (NIP-45).
    case count(subscriptionID: String, count: Int, approximate: Bool)
    /// `["NEG-MSG", <subscription id>, <hex message>]` (NIP-77).
    case negentropyMessage(subscriptionID: String, message: [UInt8])
    /// `["NEG-ERR", <subscription id>, <reason>]` (NIP-77).
    case negentropyError(subscriptionID: String, reason: Reason)

    /// Appends the message's JSON to `output`.
    public func write(to output: inout [UInt8]) {
        switch self {
        case .event(let subscriptionID, let eventJSON):
            output.append(contentsOf: #"["EVENT","#.utf8)
            JSONWriter.appendString(subscriptionID, to: &output)
            output.append(UInt8(ascii: ","))
            output.append(contentsOf: eventJSON)
        case .ok(let eventID, let accepted, let reason):
            output.append(contentsOf: #"["OK",""#.utf8)
            eventID.raw.appendHex(to: &output)
            output.append(contentsOf: (accepted ? #"",true,"# : #"",false,"#).utf8)
            JSONWriter.appendString(reason?.description ?? "", to: &output)
        case .endOfStoredEvents(let subscriptionID):
            output.append(contentsOf: #"["EOSE","#.utf8)
            JSONWriter.appendString(subscriptionID, to: &output)
        case .closed(let subscriptionID, let reason):
            output.append(contentsOf: #"["CLOSED","#.utf8)
            JSONWriter.appendString(subscriptionID, to: &output)
            output.append(UInt8(ascii: ","))
            JSONWriter.appendString(reason.description, to: &output)
        case .notice(let message):
            output.append(contentsOf: #"["NOTICE","#.utf8)
            JSONWriter.appendString(message, to: &output)
        case .auth(let challenge):
            output.append(contentsOf: #"["AUTH","#.utf8)
            JSONWriter.appendString(challenge, to: &output)
        case .count(let subscriptionID, let count, let approximate):
            output.append(contentsOf: #"["COUNT","#.utf8)
            JSONWriter.appendString(subscriptionID, to: &output)
            output.append(contentsOf: #",{"count":"#.utf8)
            JSONWriter.appendInteger(Int64(count), to: &output)
            if approximate { output.append(contentsOf: #","approximate":true"#.utf8) }
            output.append(UInt8(ascii: "}"))
        case .negentropyMessage(let subscriptionID, let message):
            output.append(contentsOf: #"["NEG-MSG","#.utf8)
            JSONWriter.appendString(subscriptionID, to: &output)
            output.append(contentsOf: #",""#.utf8)
            message.withUnsafeBytes { Hex.append($0, to: &output) }
            output.append(UInt8(ascii: "\""))
        case .negentropyError(let subscriptionID, let reason):
            output.append(contentsOf: #"["NEG-ERR","#.utf8)
            JSONWriter.appendString(subscriptionID, to: &output)
            output.append(UInt8(ascii: ","))
            JSONWriter.appendString(reason.description, to: &output)
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
}
