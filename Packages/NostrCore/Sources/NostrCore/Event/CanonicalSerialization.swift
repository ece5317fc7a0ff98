import Crypto

/// How control characters other than `\b \t \n \f \r` appear in a canonical serialisation.
public enum ControlCharacterStyle: Sendable {
    /// As `\u00xx` escapes: what every mainstream client signs (JSON.stringify, go-nostr, rust-nostr).
    case escaped
    /// As raw bytes: NIP-01's text read literally ("all other characters must be included verbatim").
    case verbatim
}

extension Event {
    /// The NIP-01 serialisation `[0,"<pubkey>",<created_at>,<kind>,<tags>,"<content>"]` whose
    /// SHA-256 is the event id.
    public static func canonicalSerialization(
        pubkey: PublicKey, createdAt: Int64, kind: Kind, tags: Tags, content: String,
        controlCharacters: ControlCharacterStyle = .escaped
    ) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(tags.valueByteCount + 4 * tags.valueCount + content.utf8.count + 128)
        writeCanonicalPrefix(pubkey: pubkey, createdAt: createdAt, kind: kind, to: &output)
        switch controlCharacters {
        case .escaped:
            tags.writeJSON(to: &output)
            output.append(UInt8(ascii: ","))
            JSONWriter.appendString(content, to: &output)
        case .verbatim:
            var verbatim = VerbatimControlWriter(output: output)
            verbatim.writeTags(tags)
            output = verbatim.output
            output.append(UInt8(ascii: ","))
            var content = content
            content.withUTF8 { VerbatimControlWriter.appendString(UnsafeRawBufferPointer($0), to: &output) }
        }
        output.append(UInt8(ascii: "]"))
        return output
    }

    /// Writes `[0,"<pubkey>",<created_at>,<kind>,`: everything before the tags.
    private static func writeCanonicalPrefix(pubkey: PublicKey, createdAt: Int64, kind: Kind, to output: inout [UInt8])
    {
        output.append(contentsOf: #"[0,""#.utf8)
        pubkey.raw.appendHex(to: &output)
        output.append(contentsOf: #"","#.utf8)
        JSONWriter.appendInteger(createdAt, to: &output)
        output.append(UInt8(ascii: ","))
        JSONWriter.appendUnsigned(UInt64(kind.rawValue), to: &output)
        output.append(UInt8(ascii: ","))
    }

    /// This event's canonical serialisation.
    public func canonicalSerialization(controlCharacters: ControlCharacterStyle = .escaped) -> [UInt8] {
        Event.canonicalSerialization(
            pubkey: pubkey, createdAt: createdAt, kind: kind, tags: tags, content: content,
            controlCharacters: controlCharacters)
    }

    /// The id the given fields hash to.
    public static func computeID(
        pubkey: PublicKey, createdAt: Int64, kind: Kind, tags: Tags, content: String,
        controlCharacters: ControlCharacterStyle = .escaped
    ) -> EventID {
        let serialized = canonicalSerialization(
            pubkey: pubkey, createdAt: createdAt, kind: kind, tags: tags,
            content: content, controlCharacters: controlCharacters)
        return EventID(sha256(serialized))
    }

    /// The id this event's fields hash to (which a valid event's `id` equals).
    ///
    /// When the event was parsed from compact JSON whose tags and content are already in canonical
    /// form (the usual case), the hash runs over those bytes of `rawJSON` directly.
    public func computeID(controlCharacters: ControlCharacterStyle = .escaped) -> EventID {
        if controlCharacters == .escaped, let hint = canonicalHint {
            return EventID(hashCanonical(using: hint))
        }
        return Event.computeID(
            pubkey: pubkey, createdAt: createdAt, kind: kind, tags: tags, content: content,
            controlCharacters: controlCharacters)
    }

    private func hashCanonical(using hint: CanonicalHint) -> Bytes32 {
        var prefix: [UInt8] = []
        prefix.reserveCapacity(112)
        Event.writeCanonicalPrefix(pubkey: pubkey, createdAt: createdAt, kind: kind, to: &prefix)
        var hasher = SHA256()
        prefix.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        rawJSON.withUnsafeBytes { raw in
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: raw[hint.tags]))
            withUnsafeBytes(of: UInt8(ascii: ",")) { hasher.update(bufferPointer: $0) }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: raw[hint.content]))
            withUnsafeBytes(of: UInt8(ascii: "]")) { hasher.update(bufferPointer: $0) }
        }
        return hasher.finalize().withUnsafeBytes { Bytes32(loadingFrom: $0.baseAddress!) }
    }

    /// Whether the content or a tag holds a control character that the two styles write differently.
    var hasAmbiguousControlCharacters: Bool {
        let isAmbiguous: (UInt8) -> Bool = { $0 < 0x20 && JSONWriter.escapeClass[Int($0)] == 2 }
        return content.utf8.contains(where: isAmbiguous) || tags.anyValueByte(where: isAmbiguous)
    }
}

/// Ranges of an event's raw JSON that are byte-identical to parts of its canonical serialisation.
struct CanonicalHint: Sendable {
    /// The whole tags array, brackets included.
    var tags: Range<Int>
    /// The content string token, quotes included.
    var content: Range<Int>
}

/// SHA-256 of `bytes`, through swift-crypto.
func sha256(_ bytes: [UInt8]) -> Bytes32 {
    bytes.withUnsafeBytes { Bytes32.sha256(of: $0) }
}

/// Writes JSON strings escaping only NIP-01's seven characters, other control bytes verbatim.
private struct VerbatimControlWriter {
    var output: [UInt8]

    static func appendString(_ utf8: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in utf8 {
            switch byte {
            case 0x22: output.append(contentsOf: [0x5C, 0x22])
            case 0x5C: output.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: output.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: output.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    mutating func writeTags(_ tags: Tags) {
        output.append(UInt8(ascii: "["))
        for (tagIndex, tag) in tags.enumerated() {
            if tagIndex > 0 { output.append(UInt8(ascii: ",")) }
            output.append(UInt8(ascii: "["))
            for position in 0..<tag.count {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                tag.withBytes(at: position) { VerbatimControlWriter.appendString($0, to: &output) }
            }
            output.append(UInt8(ascii: "]"))
        }
        output.append(UInt8(ascii: "]"))
    }
}
