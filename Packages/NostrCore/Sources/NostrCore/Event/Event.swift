/// A Nostr event (NIP-01), together with the exact JSON it was parsed from.
///
/// Keeping `rawJSON` lets a relay store and send the event without serialising it again. An
/// `Event` is only structurally valid when parsed; call `validate()` to check the id and signature.
public struct Event: Sendable, CustomStringConvertible {
    /// The SHA-256 of the canonical serialisation.
    public let id: EventID
    /// The author.
    public let pubkey: PublicKey
    /// Unix time in seconds, as the author claims it.
    public let createdAt: Int64
    /// The kind.
    public let kind: Kind
    /// The tags.
    public let tags: Tags
    /// Where the content lives: decoded text, or a string token of `rawJSON` decoded on access.
    let contentSource: ContentSource
    /// The author's BIP-340 signature of `id`.
    public let sig: Signature
    /// The JSON object this event was parsed from, byte for byte (or its compact serialisation when
    /// the event was built in memory).
    public let rawJSON: [UInt8]
    /// Where `rawJSON` already holds the tags and content exactly as the canonical serialisation
    /// writes them, so the id can be hashed from it without serialising again.
    let canonicalHint: CanonicalHint?

    /// Assembles an event from its fields; `rawJSON` becomes the compact serialisation.
    public init(
        id: EventID, pubkey: PublicKey, createdAt: Int64, kind: Kind, tags: Tags, content: String, sig: Signature
    ) {
        var json: [UInt8] = []
        json.reserveCapacity(content.utf8.count + tags.valueByteCount + 4 * tags.valueCount + 300)
        Event.writeJSON(
            id: id, pubkey: pubkey, createdAt: createdAt, kind: kind, tags: tags, content: content,
            sig: sig, to: &json)
        self.init(
            id: id, pubkey: pubkey, createdAt: createdAt, kind: kind, tags: tags, content: content, sig: sig,
            rawJSON: json, canonicalHint: nil)
    }

    init(
        id: EventID, pubkey: PublicKey, createdAt: Int64, kind: Kind, tags: Tags, content: String, sig: Signature,
        rawJSON: [UInt8], canonicalHint: CanonicalHint?
    ) {
        self.init(
            id: id, pubkey: pubkey, createdAt: createdAt, kind: kind, tags: tags, contentSource: .text(content),
            sig: sig, rawJSON: rawJSON, canonicalHint: canonicalHint)
    }

    init(
        id: EventID, pubkey: PublicKey, createdAt: Int64, kind: Kind, tags: Tags, contentSource: ContentSource,
        sig: Signature, rawJSON: [UInt8], canonicalHint: CanonicalHint?
    ) {
        self.id = id
        self.pubkey = pubkey
        self.createdAt = createdAt
        self.kind = kind
        self.tags = tags
        self.contentSource = contentSource
        self.sig = sig
        self.rawJSON = rawJSON
        self.canonicalHint = canonicalHint
    }

    /// The content. A parsed event decodes it from `rawJSON` on each access: the relay's hot paths
    /// never need it as a `String`, so parsing neither copies nor re-validates it.
    public var content: String {
        switch contentSource {
        case .text(let text):
            return text
        case .token(let range, let escaped):
            return rawJSON.withUnsafeBytes { raw in
                JSONReader(raw).decodeString(.init(start: range.lowerBound, end: range.upperBound, hasEscapes: escaped))
            }
        }
    }

    /// The content's length in UTF-8 bytes (what size limits count).
    public var contentByteCount: Int {
        switch contentSource {
        case .text(let text): return text.utf8.count
        case .token(let range, let escaped): return escaped ? content.utf8.count : range.count
        }
    }

    /// The compact JSON of the seven NIP-01 fields, in NIP-01's order, whatever `rawJSON` looked like.
    public func serializedJSON() -> [UInt8] {
        var json: [UInt8] = []
        json.reserveCapacity(rawJSON.count)
        Event.writeJSON(
            id: id, pubkey: pubkey, createdAt: createdAt, kind: kind, tags: tags, content: content,
            sig: sig, to: &json)
        return json
    }

    /// The JSON to store and serve: `rawJSON` when it is already compact (the seven fields, no
    /// whitespace, canonical escapes, in any order), otherwise `serializedJSON()`.
    public func storageJSON() -> [UInt8] {
        guard let hint = canonicalHint else { return serializedJSON() }
        // Everything but the variable parts: {"id":"","pubkey":"","created_at":,"kind":,"tags":,"content":,"sig":""}
        // plus 64 + 64 + 128 hex digits.
        let compactLength =
            327 + Event.decimalDigits(UInt64(createdAt)) + Event.decimalDigits(UInt64(kind.rawValue))
            + hint.tags.count + hint.content.count
        return rawJSON.count == compactLength ? rawJSON : serializedJSON()
    }

    static func decimalDigits(_ value: UInt64) -> Int {
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        return digits
    }

    static func writeJSON(
        id: EventID, pubkey: PublicKey, createdAt: Int64, kind: Kind, tags: Tags, content: String, sig: Signature,
        to json: inout [UInt8]
    ) {
        json.append(contentsOf: #"{"id":""#.utf8)
        id.raw.appendHex(to: &json)
        json.append(contentsOf: #"","pubkey":""#.utf8)
        pubkey.raw.appendHex(to: &json)
        json.append(contentsOf: #"","created_at":"#.utf8)
        JSONWriter.appendInteger(createdAt, to: &json)
        json.append(contentsOf: #","kind":"#.utf8)
        JSONWriter.appendUnsigned(UInt64(kind.rawValue), to: &json)
        json.append(contentsOf: #","tags":"#.utf8)
        tags.writeJSON(to: &json)
        json.append(contentsOf: #","content":"#.utf8)
        JSONWriter.appendString(content, to: &json)
        json.append(contentsOf: #","sig":""#.utf8)
        sig.appendHex(to: &json)
        json.append(contentsOf: #""}"#.utf8)
    }

    /// The raw JSON as a string.
    public var jsonString: String { String(decoding: rawJSON, as: UTF8.self) }
    public var description: String { jsonString }
}

/// An event's content: text held directly, or a string token inside the event's raw JSON.
enum ContentSource: Sendable {
    case text(String)
    /// The bytes between the quotes, and whether they hold escapes.
    case token(Range<Int>, escaped: Bool)
}

extension Event: Hashable {
    /// Events are equal when all seven NIP-01 fields are; the raw JSON's formatting does not count.
    public static func == (lhs: Event, rhs: Event) -> Bool {
        lhs.id == rhs.id && lhs.pubkey == rhs.pubkey && lhs.createdAt == rhs.createdAt && lhs.kind == rhs.kind
            && lhs.sig == rhs.sig && lhs.tags == rhs.tags && lhs.content.utf8.elementsEqual(rhs.content.utf8)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}

extension Tags {
    /// The tags as a compact JSON array of arrays (what an event's `"tags"` holds).
    public var jsonString: String {
        var json: [UInt8] = []
        writeJSON(to: &json)
        return String(decoding: json, as: UTF8.self)
    }

    /// Writes the tags as a compact JSON array of arrays, escaped by NIP-01's rules.
    public func writeJSON(to json: inout [UInt8]) {
        json.append(UInt8(ascii: "["))
        storage.withUnsafeBytes { bytes in
            var value = 0
            for (tagIndex, tagEnd) in tagEnds.enumerated() {
                if tagIndex > 0 { json.append(UInt8(ascii: ",")) }
                json.append(UInt8(ascii: "["))
                let firstValue = value
                while value < Int(tagEnd) {
                    if value > firstValue { json.append(UInt8(ascii: ",")) }
                    let bounds = valueBounds[value]
                    let range = Int(bounds >> 32)..<Int(bounds & 0xFFFF_FFFF)
                    JSONWriter.appendString(UnsafeRawBufferPointer(rebasing: bytes[range]), to: &json)
                    value += 1
                }
                json.append(UInt8(ascii: "]"))
            }
        }
        json.append(UInt8(ascii: "]"))
    }
}
