/// The type-length-value records inside NIP-19 `nprofile`, `nevent` and `naddr` data: a 1-byte type, a 1-byte
/// length, then that many value bytes, repeated.
struct TLV {
    /// TLV type 0: the entity's special value (public key, event id or `naddr` identifier).
    static let special: UInt8 = 0
    /// TLV type 1: a relay hint, repeatable.
    static let relay: UInt8 = 1
    /// TLV type 2: the author's public key.
    static let author: UInt8 = 2
    /// TLV type 3: the kind, a 32-bit big-endian unsigned integer.
    static let kind: UInt8 = 3

    /// The records in order of appearance.
    private(set) var records: [(type: UInt8, value: ArraySlice<UInt8>)] = []

    /// An empty record list, for encoding.
    init() {}

    /// Parses `bytes` as a sequence of records; throws if the last header or value is cut short.
    init(parsing bytes: [UInt8]) throws(NIP19Error) {
        var index = 0
        while index < bytes.count {
            guard index + 2 <= bytes.count else { throw .truncatedTLV }
            let type = bytes[index]
            let length = Int(bytes[index + 1])
            index += 2
            guard index + length <= bytes.count else { throw .truncatedTLV }
            records.append((type, bytes[index..<(index + length)]))
            index += length
        }
    }

    /// Appends a record; the value must be at most 255 bytes.
    mutating func append(type: UInt8, value: some Collection<UInt8>) {
        precondition(value.count <= 255, "a TLV value holds at most 255 bytes")
        records.append((type, ArraySlice(value)))
    }

    /// The serialised records.
    var bytes: [UInt8] {
        var output = [UInt8]()
        output.reserveCapacity(records.reduce(0) { $0 + 2 + $1.value.count })
        for record in records {
            output.append(record.type)
            output.append(UInt8(record.value.count))
            output.append(contentsOf: record.value)
        }
        return output
    }

    /// The values of every record of `type`, in order.
    func values(of type: UInt8) -> [ArraySlice<UInt8>] {
        records.filter { $0.type == type }.map(\.value)
    }

    /// The values of every record of `type`, each checked to be exactly `length` bytes.
    func values(of type: UInt8, length: Int) throws(NIP19Error) -> [ArraySlice<UInt8>] {
        let found = values(of: type)
        for value in found where value.count != length {
            throw .wrongTLVLength(type: type, length: value.count, expected: length)
        }
        return found
    }

    /// The values of every record of `type`, each decoded as strict UTF-8.
    func strings(of type: UInt8) throws(NIP19Error) -> [String] {
        var output = [String]()
        for value in values(of: type) {
            let string = String(decoding: value, as: UTF8.self)
            // Decoding replaces ill-formed sequences with U+FFFD, so a change in bytes means invalid UTF-8.
            guard string.utf8.elementsEqual(value) else { throw .invalidUTF8(type: type) }
            output.append(string)
        }
        return output
    }

    /// The first 32-byte value of `type` (all of them checked for length), or `nil` if there is none.
    func bytes32(of type: UInt8) throws(NIP19Error) -> Bytes32? {
        try values(of: type, length: 32).first.flatMap { Bytes32($0) }
    }

    /// The first kind record (all of them checked for length and range), or `nil` if there is none.
    func kind() throws(NIP19Error) -> Kind? {
        var kinds = [Kind]()
        for value in try values(of: TLV.kind, length: 4) {
            let number = value.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            guard let raw = UInt16(exactly: number) else { throw .kindOutOfRange(number) }
            kinds.append(Kind(rawValue: raw))
        }
        return kinds.first
    }

    /// Appends a kind record: the kind number as a 32-bit big-endian unsigned integer.
    mutating func append(kind: Kind) {
        let number = UInt32(kind.rawValue)
        append(type: TLV.kind, value: [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: number >> $0) })
    }
}
