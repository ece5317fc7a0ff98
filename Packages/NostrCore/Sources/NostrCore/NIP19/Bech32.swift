/// Bech32 (BIP-173; not bech32m) encoding and decoding.
///
/// Unlike BIP-173 the 90-character limit is not enforced, because NIP-19 TLV strings are longer; decoding is
/// bounded by a caller-chosen maximum length instead.
public enum Bech32 {
    /// The 32 data characters, indexed by 5-bit value.
    static let alphabet: [UInt8] = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)

    /// Maps a lowercase ASCII byte to its 5-bit value, or 0xFF if it is not in the alphabet.
    static let alphabetIndex: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 128)
        for (value, character) in alphabet.enumerated() { table[Int(character)] = UInt8(value) }
        return table
    }()

    /// The length of the checksum, in characters.
    static let checksumLength = 6

    // MARK: Encoding

    /// Encodes 8-bit `data` under the human-readable part `hrp`, as lowercase bech32.
    ///
    /// `hrp` must be non-empty US-ASCII in 33...126; uppercase letters in it are lowercased.
    public static func encode(hrp: String, data: [UInt8]) -> String {
        encode(hrp: hrp, words: regroup8To5(data))
    }

    /// Encodes 5-bit values (each 0...31) under the human-readable part `hrp`, as lowercase bech32.
    ///
    /// `hrp` must be non-empty US-ASCII in 33...126; uppercase letters in it are lowercased.
    public static func encode(hrp: String, words: [UInt8]) -> String {
        let prefix = hrp.utf8.map(lowercased)
        precondition(!prefix.isEmpty && prefix.allSatisfy { (33...126).contains($0) }, "invalid bech32 hrp")
        precondition(words.allSatisfy { $0 < 32 }, "bech32 words must be 5-bit values")
        var output = prefix
        output.reserveCapacity(prefix.count + 1 + words.count + checksumLength)
        output.append(UInt8(ascii: "1"))
        for word in words + checksum(hrp: prefix, words: words) { output.append(alphabet[Int(word)]) }
        return String(decoding: output, as: UTF8.self)
    }

    // MARK: Decoding

    /// Decodes a bech32 string to its lowercase human-readable part and its 8-bit data.
    ///
    /// Rejects strings longer than `maxLength`, characters outside US-ASCII 33...126 or the bech32 alphabet,
    /// mixed case, a missing separator, an empty human-readable part, a bad checksum, and data whose 5-bit
    /// groups leave more than 4 or non-zero padding bits.
    public static func decode(
        _ string: String, maxLength: Int = 5000
    ) throws(NIP19Error) -> (hrp: String, data: [UInt8]) {
        let (hrp, words) = try decodeWords(string, maxLength: maxLength)
        return (hrp, try regroup5To8(words))
    }

    /// Decodes a bech32 string to its lowercase human-readable part and its 5-bit values (checksum removed).
    ///
    /// Applies every check of ``decode(_:maxLength:)`` except the conversion to bytes.
    public static func decodeWords(
        _ string: String, maxLength: Int = 5000
    ) throws(NIP19Error) -> (hrp: String, words: [UInt8]) {
        let utf8 = string.utf8
        guard utf8.count <= maxLength else { throw .tooLong(length: utf8.count, maximum: maxLength) }
        var hasLower = false
        var hasUpper = false
        var bytes = [UInt8]()
        bytes.reserveCapacity(utf8.count)
        for (position, byte) in utf8.enumerated() {
            guard (33...126).contains(byte) else { throw .invalidCharacter(at: position) }
            if (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) { hasLower = true }
            if (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) { hasUpper = true }
            bytes.append(lowercased(byte))
        }
        guard !(hasLower && hasUpper) else { throw .mixedCase }
        guard let separator = bytes.lastIndex(of: UInt8(ascii: "1")) else { throw .missingSeparator }
        guard separator > 0 else { throw .emptyHumanReadablePart }
        guard bytes.count - separator - 1 >= checksumLength else { throw .checksumTooShort }
        let prefix = Array(bytes[..<separator])
        var values = [UInt8]()
        values.reserveCapacity(bytes.count - separator - 1)
        for position in (separator + 1)..<bytes.count {
            let value = alphabetIndex[Int(bytes[position])]
            guard value != 0xFF else { throw .invalidCharacter(at: position) }
            values.append(value)
        }
        guard polymod(expand(prefix) + values) == 1 else { throw .badChecksum }
        return (String(decoding: prefix, as: UTF8.self), Array(values.dropLast(checksumLength)))
    }

    // MARK: Checksum

    /// The BCH checksum polynomial remainder of BIP-173.
    static func polymod(_ values: [UInt8]) -> UInt32 {
        let generator: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]
        var checksum: UInt32 = 1
        for value in values {
            let top = checksum >> 25
            checksum = (checksum & 0x1ff_ffff) << 5 ^ UInt32(value)
            for bit in 0..<5 where (top >> bit) & 1 == 1 { checksum ^= generator[bit] }
        }
        return checksum
    }

    /// The human-readable part as fed to the checksum: high bits, a zero, then low bits.
    static func expand(_ hrp: [UInt8]) -> [UInt8] {
        hrp.map { $0 >> 5 } + [0] + hrp.map { $0 & 31 }
    }

    /// The six checksum values for `words` under the lowercase `hrp`.
    static func checksum(hrp: [UInt8], words: [UInt8]) -> [UInt8] {
        let remainder = polymod(expand(hrp) + words + [UInt8](repeating: 0, count: checksumLength)) ^ 1
        return (0..<checksumLength).map { UInt8(truncatingIfNeeded: remainder >> (5 * (5 - UInt32($0)))) & 31 }
    }

    // MARK: Regrouping

    /// Splits bytes into 5-bit groups, most significant bit first, zero-padding the last group.
    static func regroup8To5(_ data: [UInt8]) -> [UInt8] {
        var output = [UInt8]()
        output.reserveCapacity((data.count * 8 + 4) / 5)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in data {
            accumulator = (accumulator << 8 | UInt32(byte)) & 0xFFF
            bits += 8
            while bits >= 5 {
                bits -= 5
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)) & 31)
            }
        }
        if bits > 0 { output.append(UInt8(truncatingIfNeeded: accumulator << UInt32(5 - bits)) & 31) }
        return output
    }

    /// Joins 5-bit groups into bytes; the leftover bits must be fewer than 5 and all zero.
    static func regroup5To8(_ words: [UInt8]) throws(NIP19Error) -> [UInt8] {
        var output = [UInt8]()
        output.reserveCapacity(words.count * 5 / 8)
        var accumulator: UInt32 = 0
        var bits = 0
        for word in words {
            accumulator = (accumulator << 5 | UInt32(word)) & 0xFFF
            bits += 5
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        guard bits < 5, accumulator & ((1 << UInt32(bits)) - 1) == 0 else { throw .invalidPadding }
        return output
    }

    /// Lowercases an ASCII letter; other bytes pass through.
    static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}
