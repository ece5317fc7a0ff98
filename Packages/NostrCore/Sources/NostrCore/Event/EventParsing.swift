/// Why an event could not be parsed, with its id when that much could be read (so a relay can
/// still answer `["OK", id, false, reason]`).
public struct EventParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The event's `id` field, if it was present and well formed.
    public var eventID: EventID?
    /// What is wrong, prefixed `invalid:`.
    public var reason: Reason

    /// Creates an error for the event with the given id (if known).
    public init(eventID: EventID?, reason: Reason) {
        self.eventID = eventID
        self.reason = reason
    }

    public var description: String { reason.description }
}

/// A protocol violation found while decoding: becomes `invalid: <message>`.
struct ProtocolViolation: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

extension Event {
    /// Parses one event object (NIP-01), strictly: exactly the document, no duplicate fields, every
    /// field present with the right type, lowercase hex of the right length, kind 0...65535,
    /// a non-negative `created_at`. Unknown fields are validated and ignored. The id and signature
    /// are not checked here; call `validate()`.
    public init(json: some Sequence<UInt8>, maxDepth: Int = 64) throws(EventParseError) {
        let bytes = Array(json)
        let result: Result<Event, EventParseError> = bytes.withUnsafeBytes { buffer in
            var reader = JSONReader(buffer, maxDepth: maxDepth)
            var eventID: EventID?
            do {
                let event = try Event.read(from: &reader, id: &eventID)
                try reader.expectEnd()
                return .success(event)
            } catch {
                return .failure(EventParseError(eventID: eventID, reason: Event.reason(for: error)))
            }
        }
        self = try result.get()
    }

    /// Parses one event object from a string.
    public init(json: String) throws(EventParseError) {
        try self.init(json: Array(json.utf8))
    }

    static func reason(for error: any Error) -> Reason {
        switch error {
        case let violation as ProtocolViolation: return .invalid(violation.message)
        case let json as JSONError: return .invalid("malformed JSON: \(json)")
        default: return .invalid("\(error)")
        }
    }

    private enum Field: Int, CaseIterable {
        case id, pubkey, createdAt, kind, tags, content, sig

        var name: String {
            switch self {
            case .id: "id"
            case .pubkey: "pubkey"
            case .createdAt: "created_at"
            case .kind: "kind"
            case .tags: "tags"
            case .content: "content"
            case .sig: "sig"
            }
        }

        static func match(_ token: JSONReader.StringToken, in reader: JSONReader) -> Field? {
            if token.hasEscapes {
                // An escaped spelling (`"\u0069d"`) names the same field: compare the decoded key.
                let name = reader.decodeString(token)
                return Field.allCases.first { $0.name == name }
            }
            switch token.count {
            case 2: return reader.token(token, equals: "id") ? .id : nil
            case 3: return reader.token(token, equals: "sig") ? .sig : nil
            case 4:
                if reader.token(token, equals: "kind") { return .kind }
                return reader.token(token, equals: "tags") ? .tags : nil
            case 6: return reader.token(token, equals: "pubkey") ? .pubkey : nil
            case 7: return reader.token(token, equals: "content") ? .content : nil
            case 10: return reader.token(token, equals: "created_at") ? .createdAt : nil
            default: return nil
            }
        }
    }

    /// Reads an event object at the reader's position; `id` is set as soon as the id field is read.
    static func read(from reader: inout JSONReader, id parsedID: inout EventID?) throws -> Event {
        guard try reader.peek() == UInt8(ascii: "{") else { throw ProtocolViolation("event must be a JSON object") }
        let start = reader.position
        try reader.beginObject()
        var seen = 0
        var id = EventID(.zero)
        var pubkey = PublicKey(.zero)
        var createdAt: Int64 = 0
        var kind: Kind = 0
        var tags = TagsBuilder(objectStart: start)
        var tagsRange = 0..<0
        var tagsCanonical = false
        var content = ContentSource.text("")
        var contentRange = 0..<0
        var contentCanonical = false
        var sig = Signature(r: .zero, s: .zero)
        var first = true
        while let key = try reader.nextKey(&first) {
            guard let field = Field.match(key, in: reader) else {
                try reader.skipValue()
                continue
            }
            let bit = 1 << field.rawValue
            if seen & bit != 0 { throw ProtocolViolation("duplicate field \"\(field.name)\" in event") }
            seen |= bit
            switch field {
            case .id:
                guard let value = try readHex32(&reader).map(EventID.init) else {
                    throw ProtocolViolation("\"id\" must be 64 lowercase hex characters")
                }
                id = value
                parsedID = value
            case .pubkey:
                guard let value = try readHex32(&reader).map(PublicKey.init) else {
                    throw ProtocolViolation("\"pubkey\" must be 64 lowercase hex characters")
                }
                pubkey = value
            case .sig:
                guard let value = try readSignature(&reader) else {
                    throw ProtocolViolation("\"sig\" must be 128 lowercase hex characters")
                }
                sig = value
            case .createdAt:
                guard try isIntegerStart(reader.peek()) else {
                    throw ProtocolViolation("\"created_at\" must be an integer")
                }
                createdAt = try reader.readInteger("\"created_at\" as an integer")
                if createdAt < 0 { throw ProtocolViolation("\"created_at\" must not be negative") }
            case .kind:
                guard try isIntegerStart(reader.peek()) else { throw ProtocolViolation("\"kind\" must be an integer") }
                let value = try reader.readInteger("\"kind\" as an integer")
                guard let raw = UInt16(exactly: value) else {
                    throw ProtocolViolation("\"kind\" must be between 0 and 65535")
                }
                kind = Kind(rawValue: raw)
            case .tags:
                // The range starts at the bracket, not at whitespace before it (`"tags": [...]`).
                let (canonical, tagsStart) = try readTags(&reader, into: &tags)
                tagsCanonical = canonical
                tagsRange = (tagsStart - start)..<(reader.position - start)
            case .content:
                guard try reader.peek() == UInt8(ascii: "\"") else {
                    throw ProtocolViolation("\"content\" must be a string")
                }
                let token = try reader.readStringToken()
                content = .token((token.start - start)..<(token.end - start), escaped: token.hasEscapes)
                contentRange = (token.start - 1 - start)..<(token.end + 1 - start)
                contentCanonical = reader.hasCanonicalEscapes(token)
            }
        }
        if seen != (1 << Field.allCases.count) - 1 {
            let missing = Field.allCases.first { seen & (1 << $0.rawValue) == 0 }!
            throw ProtocolViolation("missing field \"\(missing.name)\" in event")
        }
        let raw = Array(UnsafeRawBufferPointer(rebasing: reader.bytes[start..<reader.position]))
        let hint = tagsCanonical && contentCanonical ? CanonicalHint(tags: tagsRange, content: contentRange) : nil
        return Event(
            id: id, pubkey: pubkey, createdAt: createdAt, kind: kind, tags: tags.finish(rawJSON: raw),
            contentSource: content, sig: sig, rawJSON: raw, canonicalHint: hint)
    }

    private static func isIntegerStart(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "-") || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    /// Reads a string that must hold 64 lowercase hex characters; `nil` if it does not.
    static func readHex32(_ reader: inout JSONReader) throws -> Bytes32? {
        try readStringBytes(&reader) { Bytes32(hexASCII: $0) }
    }

    private static func readSignature(_ reader: inout JSONReader) throws -> Signature? {
        try readStringBytes(&reader) { Signature(hexASCII: $0) }
    }

    /// Reads a string and hands its decoded bytes to `decode` (without copying when it has no
    /// escapes); `nil` if the value is not a string.
    private static func readStringBytes<T>(
        _ reader: inout JSONReader, _ decode: (UnsafeRawBufferPointer) -> T?
    ) throws -> T? {
        guard try reader.peek() == UInt8(ascii: "\"") else { return nil }
        let token = try reader.scanStringToken()
        if !token.hasEscapes { return decode(reader.rawBytes(token)) }
        var decoded: [UInt8] = []
        reader.appendDecoded(token, to: &decoded)
        return decoded.withUnsafeBytes(decode)
    }

    /// Reads the tags array into `builder`; returns whether its raw text is already canonical
    /// (compact, with canonical escapes only), so the id can be hashed from it.
    /// Reads the tags array; returns whether its bytes are already canonical (compact, canonical
    /// escapes) and where its opening bracket is.
    private static func readTags(
        _ reader: inout JSONReader, into builder: inout TagsBuilder
    ) throws -> (canonical: Bool, start: Int) {
        guard try reader.peek() == UInt8(ascii: "[") else {
            throw ProtocolViolation("\"tags\" must be an array of arrays of strings")
        }
        let start = reader.position
        try reader.beginArray()
        // The length the array would have with no whitespace, to detect whitespace without a scan.
        var compactLength = 2
        var canonicalEscapes = true
        var first = true
        while try reader.nextElement(&first) {
            guard try reader.peek() == UInt8(ascii: "[") else {
                throw ProtocolViolation("each tag must be an array of strings")
            }
            try reader.beginArray()
            compactLength += builder.tagEnds.isEmpty ? 2 : 3
            var firstValue = true
            var values = 0
            while try reader.nextElement(&firstValue) {
                guard try reader.peek() == UInt8(ascii: "\"") else {
                    throw ProtocolViolation("tag elements must be strings")
                }
                let token = try reader.scanStringToken()
                builder.addValue(token, reader: reader)
                compactLength += token.count + (values == 0 ? 2 : 3)
                values += 1
                if token.hasEscapes && !reader.hasCanonicalEscapes(token) { canonicalEscapes = false }
            }
            builder.endTag()
        }
        return (canonicalEscapes && reader.position - start == compactLength, start)
    }
}
