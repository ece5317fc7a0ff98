import NostrCore
import NostrCoreTesting
import Testing

// MARK: - Helpers

private func bytes(_ hex: String) -> [UInt8] { Hex.decode(hex)! }
private func hex(_ bytes: [UInt8]) -> String { Hex.encode(bytes) }

private func id(repeating byte: UInt8) -> EventID { EventID(Bytes32([UInt8](repeating: byte, count: 32))!) }

private func storage(_ items: [NegentropyItem]) throws -> NegentropyStorage { try NegentropyStorage(items) }

/// Runs `body` and returns the `NegentropyError` it throws (`nil` when it throws none).
private func negentropyError(_ body: () throws -> Void) -> NegentropyError? {
    do {
        try body()
        return nil
    } catch let error as NegentropyError {
        return error
    } catch {
        Issue.record("not a NegentropyError: \(error)")
        return nil
    }
}

/// Negentropy protocol v1: every suite of the NostrCore negentropy tests is nested here, so
/// `--filter NegentropyTests` runs them all.
@Suite struct NegentropyTests {}

// MARK: - Varints

extension NegentropyTests {
    @Suite struct Varint {
        @Test func knownEncodings() {
            // Most significant group first, high bit on every byte but the last.
            #expect(NegentropyVarint.encode(0) == [0x00])
            #expect(NegentropyVarint.encode(1) == [0x01])
            #expect(NegentropyVarint.encode(127) == [0x7F])
            #expect(NegentropyVarint.encode(128) == [0x81, 0x00])
            #expect(NegentropyVarint.encode(300) == [0x82, 0x2C])
            #expect(NegentropyVarint.encode(16_383) == [0xFF, 0x7F])
            #expect(NegentropyVarint.encode(16_384) == [0x81, 0x80, 0x00])
            #expect(NegentropyVarint.encode(UInt64.max) == [0x81] + [UInt8](repeating: 0xFF, count: 8) + [0x7F])
        }

        @Test func roundTrips() throws {
            var random = SeededGenerator(seed: 0x7A41)
            var values: [UInt64] = [0, 1, 127, 128, 255, 256, 16_383, 16_384, UInt64.max, UInt64.max - 1, 1 << 63]
            for shift in 0..<64 { values.append(UInt64(1) << UInt64(shift) - 1) }
            for _ in 0..<2000 { values.append(random.next() >> (random.next() % 64)) }
            for value in values {
                let encoded = NegentropyVarint.encode(value)
                #expect(encoded.count == NegentropyVarint.encodedLength(value))
                let decoded = try NegentropyVarint.decode(encoded + [0xAB])
                #expect(decoded.value == value && decoded.length == encoded.count, "value \(value)")
            }
        }

        @Test func truncationAndOverflowAreTypedErrors() throws {
            #expect(negentropyError { _ = try NegentropyVarint.decode([]) } == .truncatedVarint)
            #expect(negentropyError { _ = try NegentropyVarint.decode([0x80]) } == .truncatedVarint)
            #expect(negentropyError { _ = try NegentropyVarint.decode([0x81, 0xFF, 0xFF]) } == .truncatedVarint)
            let full = NegentropyVarint.encode(UInt64.max)
            #expect(negentropyError { _ = try NegentropyVarint.decode(Array(full.dropLast())) } == .truncatedVarint)
            // Ten groups whose first carries more than one bit, or eleven with a set first bit, do not
            // fit in 64 bits (leading zero groups do, as in the reference).
            #expect(
                negentropyError {
                    _ = try NegentropyVarint.decode([0x82] + [UInt8](repeating: 0xFF, count: 8) + [0x7F])
                }
                    == .varintOverflow)
            #expect(
                negentropyError {
                    _ = try NegentropyVarint.decode([0x81] + [UInt8](repeating: 0x80, count: 9) + [0x00])
                }
                    == .varintOverflow)
            #expect(try NegentropyVarint.decode([UInt8](repeating: 0x80, count: 12) + [0x05]).value == 5)
        }
    }
}

// MARK: - Fingerprints

extension NegentropyTests {
    @Suite struct Fingerprints {
        // Computed by hand (Python's hashlib): SHA-256 of the 32-byte little-endian id sum followed by
        // the varint count, first 16 bytes.
        @Test func handComputedFingerprints() {
            // sha256(32 zero bytes || 0x00)
            #expect(NegentropyFingerprint.of([]).description == "7f9c9e31ac8256ca2f258583df262dbc")
            // The id 01 00 .. 00 is the integer 1: sha256(01 00*31 || 0x01).
            let one = EventID(Bytes32([1] + [UInt8](repeating: 0, count: 31))!)
            #expect(NegentropyFingerprint.of([one]).description == "2e255099d6d6bee307c8e7075acc78f9")
            // 1 + (2^256 - 1) wraps to 0, carrying through every limb: sha256(32 zero bytes || 0x02).
            #expect(
                NegentropyFingerprint.of([one, id(repeating: 0xFF)]).description == "58cc2f44d3a27866874701fbad573da9")
            #expect(NegentropyFingerprint.of([id(repeating: 0xEE)]).description == "d5530eded759c1cb5749aacb9bc66bb2")
            // Bytes 00 01 .. 1f plus ee .. ee.
            let counting = EventID(Bytes32((0..<32).map { UInt8($0) })!)
            #expect(
                NegentropyFingerprint.of([counting, id(repeating: 0xEE)]).description
                    == "9697d130909272be11559b1e537600b1")
        }

        @Test func idSumSubtractionUndoesAddition() {
            var random = SeededGenerator(seed: 0xF1)
            var sum = NegentropyIDSum()
            var ids: [Bytes32] = []
            for _ in 0..<100 {
                let value = Bytes32(w0: random.next(), w1: random.next(), w2: random.next(), w3: random.next())
                ids.append(value)
                sum.add(value)
            }
            var partial = NegentropyIDSum()
            for value in ids.prefix(40) { partial.add(value) }
            var rest = NegentropyIDSum()
            for value in ids.dropFirst(40) { rest.add(value) }
            var difference = sum
            difference.subtract(partial)
            #expect(difference == rest)
        }

        @Test func storageRangesMatchDirectFingerprints() throws {
            var random = SeededGenerator(seed: 0xF2)
            let items = (0..<200).map { _ in
                NegentropyItem(
                    createdAt: random.next() % 20,
                    id: EventID(Bytes32(w0: random.next(), w1: random.next(), w2: random.next(), w3: random.next())))
            }
            let store = try storage(items)
            #expect(store.items == items.sorted())
            for _ in 0..<100 {
                let a = Int(random.next() % 201)
                let b = Int(random.next() % 201)
                let range = min(a, b)..<max(a, b)
                #expect(store.fingerprint(range) == NegentropyFingerprint.of(store.items[range].map(\.id)))
            }
        }
    }
}

// MARK: - Bounds, storage and setup

extension NegentropyTests {
    @Suite struct BoundsAndSetup {
        @Test func minimalBounds() {
            let a = NegentropyItem(createdAt: 10, id: EventID(Bytes32(w0: 0xAABB_CC00_0000_0000, w1: 0, w2: 0, w3: 0)))
            let b = NegentropyItem(createdAt: 10, id: EventID(Bytes32(w0: 0xAABB_CD00_0000_0000, w1: 0, w2: 0, w3: 1)))
            let c = NegentropyItem(createdAt: 11, id: EventID(Bytes32(w0: 0, w1: 0, w2: 0, w3: 0)))
            let ab = NegentropyBound.minimal(between: a, and: b)
            #expect(ab.createdAt == 10 && ab.prefixLength == 3)
            #expect(ab.idPrefix == Bytes32(w0: 0xAABB_CD00_0000_0000, w1: 0, w2: 0, w3: 0))
            #expect(ab.isAbove(a) && !ab.isAbove(b))
            let bc = NegentropyBound.minimal(between: b, and: c)
            #expect(bc == NegentropyBound(createdAt: 11))
            // Ids differing only in the last byte need the whole id.
            let d = NegentropyItem(createdAt: 10, id: EventID(Bytes32(w0: 0xAABB_CD00_0000_0000, w1: 0, w2: 0, w3: 2)))
            let bd = NegentropyBound.minimal(between: b, and: d)
            #expect(bd.prefixLength == 32 && bd.idPrefix == d.id.raw && bd.isAbove(b) && !bd.isAbove(d))
        }

        @Test func duplicatesAndSmallFrameLimitsAreRefused() throws {
            let item = NegentropyItem(createdAt: 1, id: id(repeating: 1))
            #expect(negentropyError { _ = try NegentropyStorage([item, item]) } == .duplicateItem)
            let empty = try storage([])
            #expect(
                negentropyError { _ = try NegentropyInitiator(storage: empty, frameSizeLimit: 4095) }
                    == .frameSizeLimitTooSmall(4095))
            #expect(
                negentropyError { _ = try NegentropyResponder(storage: empty, frameSizeLimit: 1) }
                    == .frameSizeLimitTooSmall(1))
            _ = try NegentropyResponder(storage: empty, frameSizeLimit: 4096)
            var initiator = try NegentropyInitiator(storage: empty)
            #expect(negentropyError { _ = try initiator.reconcile([0x61]) } == .notInitiated)
            _ = try initiator.initiate()
            #expect(negentropyError { _ = try initiator.initiate() } == .alreadyInitiated)
        }
    }
}

// MARK: - Wire vectors

extension NegentropyTests {
    @Suite struct WireVectors {
        // From hoytech/negentropy test/protoversion.pl: a responder holding (12345, ee..ee) is sent
        // "6100000200" (one range up to infinity: an empty id list). Its answer, worked out by hand from
        // the protocol: version, bound infinity (timestamp 0, prefix length 0), IdList, one id.
        @Test func protoversionVectors() throws {
            let store = try storage([NegentropyItem(createdAt: 12345, id: id(repeating: 0xEE))])
            var responder = try NegentropyResponder(storage: store)
            #expect(
                hex(try responder.reconcile(bytes("6100000200"))) == "61000002" + "01"
                    + String(repeating: "ee", count: 32))
            // A newer version gets the single byte of the version we speak, and the session goes on.
            #expect(hex(try responder.reconcile(bytes("62aabbccddeeff"))) == "61")
            #expect(
                hex(try responder.reconcile(bytes("6100000200"))) == "61000002" + "01"
                    + String(repeating: "ee", count: 32))
            // An empty initiator sends exactly the message the vector uses.
            var initiator = try NegentropyInitiator(storage: try storage([]))
            #expect(hex(try initiator.initiate()) == "6100000200")
        }

        @Test func initiatorLearnsFromIDListAndFinishes() throws {
            let ours = NegentropyItem(createdAt: 5, id: id(repeating: 0x11))
            let shared = NegentropyItem(createdAt: 6, id: id(repeating: 0x22))
            var initiator = try NegentropyInitiator(storage: try storage([ours, shared]))
            let first = try initiator.initiate()
            // Infinity bound, IdList of two ids in order.
            #expect(
                hex(first) == "61000002" + "02" + String(repeating: "11", count: 32)
                    + String(repeating: "22", count: 32))
            let reply = bytes(
                "61000002" + "02" + String(repeating: "22", count: 32) + String(repeating: "33", count: 32))
            let step = try initiator.reconcile(reply)
            #expect(step.nextMessage == nil)
            #expect(step.haveIDs == [ours.id])
            #expect(step.needIDs == [id(repeating: 0x33)])
        }

        @Test func boundTimestampsAreDeltaEncoded() throws {
            // 40 items at timestamps 100...139: sixteen buckets of two or three, bounds at the first
            // timestamp of each next bucket, each sent as the delta from the previous plus one.
            let items = (0..<40).map { NegentropyItem(createdAt: UInt64(100 + $0), id: id(repeating: UInt8($0))) }
            let store = try storage(items)
            var initiator = try NegentropyInitiator(storage: store)
            let message = try initiator.initiate()
            var expected = "61"
            var previous: UInt64 = 0
            var start = 0
            for bucket in 0..<16 {
                let size = 40 / 16 + (bucket < 40 % 16 ? 1 : 0)
                let fingerprint = store.fingerprint(start..<(start + size))
                start += size
                if start == 40 {
                    expected += "00" + "00"
                } else {
                    let timestamp = UInt64(100 + start)
                    expected += hex(NegentropyVarint.encode(timestamp - previous + 1)) + "00"
                    previous = timestamp
                }
                expected += "01" + fingerprint.description
            }
            #expect(hex(message) == expected)
        }
    }
}

// MARK: - Transcripts of the reference implementation

/// Two sets defined by formula: item `i` has timestamp 1_700_000_000 + i / `divisor` and id
/// SHA-256 of `i` as 8 big-endian bytes; `inInitiator` and `inResponder` say which sides hold it.
private func formulaSets(
    count: Int, divisor: Int, inInitiator: (Int) -> Bool, inResponder: (Int) -> Bool
) -> (initiator: [NegentropyItem], responder: [NegentropyItem]) {
    var initiator: [NegentropyItem] = []
    var responder: [NegentropyItem] = []
    for index in 0..<count {
        var bigEndian = UInt64(index).bigEndian
        let digest = withUnsafeBytes(of: &bigEndian) { Bytes32.sha256(of: $0) }
        let item = NegentropyItem(createdAt: 1_700_000_000 + UInt64(index / divisor), id: EventID(digest))
        if inInitiator(index) { initiator.append(item) }
        if inResponder(index) { responder.append(item) }
    }
    return (initiator, responder)
}

/// The whole exchange as text, one line per message: "I <hex>" from the initiator, "R <hex>" from
/// the responder, each line ending in a newline.
private func transcript(
    _ sets: (initiator: [NegentropyItem], responder: [NegentropyItem]), frameSizeLimit: Int
) throws -> (text: String, have: Int, need: Int) {
    var initiator = try NegentropyInitiator(storage: try storage(sets.initiator), frameSizeLimit: frameSizeLimit)
    var responder = try NegentropyResponder(storage: try storage(sets.responder), frameSizeLimit: frameSizeLimit)
    var have: [EventID] = []
    var need: [EventID] = []
    var message = try initiator.initiate()
    var text = "I " + hex(message) + "\n"
    while true {
        let reply = try responder.reconcile(message)
        text += "R " + hex(reply) + "\n"
        guard let next = try initiator.reconcile(reply, haveIDs: &have, needIDs: &need) else { break }
        message = next
        text += "I " + hex(message) + "\n"
    }
    return (text, have.count, need.count)
}

private func sha256Hex(_ text: String) -> String {
    Array(text.utf8).withUnsafeBytes { Bytes32.sha256(of: $0) }.hex
}

extension NegentropyTests {
    /// The same sets and exchanges run through the reference C++ implementation (hoytech/negentropy,
    /// `cpp/negentropy.h` with `storage/Vector.h`, both roles in one process, driven like
    /// `test/cpp/harness.cpp`): its messages, byte for byte. The values below are its output, recorded
    /// once; the reference is not needed to run these tests.
    @Suite struct ReferenceTranscripts {
        static let small = formulaSets(
            count: 120, divisor: 5, inInitiator: { $0 % 10 != 3 }, inResponder: { $0 % 7 != 2 })
        static let large = formulaSets(
            count: 3000, divisor: 50, inInitiator: { $0 % 4 != 0 }, inResponder: { $0 % 4 != 1 })

        @Test func smallSetsFirstMessageAndTranscript() throws {
            var initiator = try NegentropyInitiator(storage: try storage(Self.small.initiator))
            let first =
                "6186aacfe202015d0171620c266d855fb5bae8fe7aff07c7e003015b011b0e9664fa1140f14a042bb202614c420201e8"
                + "01453b713a0c1255ef28b80b31d7cc4f1003014801f47e03da4e46657aa03ef9a0e35fd2c70201e9019a29ecc1f5888c"
                + "b5ef90bd86e3127109030122016c2e5864cc348b448446a3db33c0808c030001260a8debbf4ca70e804961674416b119"
                + "0201ae01f4e067fb99cba776baa99c1fe93a10f2030001d5faf49141ee6673b62e51577329c3c80201d001b6633ca556"
                + "b5e6839ed818e625a6f85a03018e012b8a999190521014806633c18f21645f02018c01c150d3fb10a50a8c29a220f82b"
                + "4040e2030001f154eea588416ee8844ac0b8648bf92f0201ca01ff3a5aa1c5a2049e6411471c4aec074c020128013b64"
                + "86d279c91259fe63af4f756b1de90000014e141422c44e2713c3726bf870e9bbb5"
            #expect(hex(try initiator.initiate()) == first)
            let run = try transcript(Self.small, frameSizeLimit: 0)
            #expect(run.text.split(separator: "\n").count == 2)
            #expect(sha256Hex(run.text) == "7547210ee221b4aa379fe3494f4ebd8c67b385c726a5eb0adf08bcf69e005971")
            #expect(run.have == 15 && run.need == 10)
        }

        @Test func largeSetsWithoutAndWithAFrameLimit() throws {
            let unlimited = try transcript(Self.large, frameSizeLimit: 0)
            #expect(unlimited.text.split(separator: "\n").count == 4)
            #expect(sha256Hex(unlimited.text) == "486d98934a61acf324d5dc87a12178d9149fe8010680169bccb3d7cc7899d023")
            #expect(unlimited.have == 750 && unlimited.need == 750)
            let limited = try transcript(Self.large, frameSizeLimit: 4096)
            #expect(limited.text.split(separator: "\n").count == 70)
            #expect(sha256Hex(limited.text) == "77f4c4bd5ed3578d247ce8fb45227eb8df79002f3cf4359444cbab00876959a9")
            #expect(limited.have == 750 && limited.need == 750)
        }

        @Test func frameLimitedExchangeReportsEachIDOnce() throws {
            // Ten items a second: under the limit the reference sends some ranges' ids again, and its
            // initiator reports 760 have and 757 need ids for this exchange; ours reports each id once.
            let sets = formulaSets(
                count: 3000, divisor: 300, inInitiator: { $0 % 4 != 0 }, inResponder: { $0 % 4 != 1 })
            let limited = try transcript(sets, frameSizeLimit: 4096)
            #expect(limited.text.split(separator: "\n").count == 70)
            #expect(sha256Hex(limited.text) == "e1bb1c8d41b658892e2f1368320635818cec4cf517e6eb91d28bbf91cead9ba6")
            #expect(limited.have == 750 && limited.need == 750)
        }
    }
}

// MARK: - Malformed input

extension NegentropyTests {
    @Suite struct MalformedInput {
        static let items = (0..<100).map { NegentropyItem(createdAt: UInt64($0 / 3), id: id(repeating: UInt8($0))) }

        private func responderError(_ message: String) throws -> NegentropyError? {
            var responder = try NegentropyResponder(storage: try storage(Self.items))
            return negentropyError { _ = try responder.reconcile(bytes(message)) }
        }

        @Test func badInputGivesTypedErrors() throws {
            #expect(try responderError("") == .invalidProtocolVersion(nil))
            #expect(try responderError("60") == nil)  // a version we do not speak: answered with 61
            #expect(try responderError("5f") == .invalidProtocolVersion(0x5F))
            #expect(try responderError("70000002") == .invalidProtocolVersion(0x70))
            #expect(try responderError("61") == nil)  // no ranges: an empty answer
            #expect(try responderError("6180") == .truncatedVarint)
            #expect(try responderError("6100") == .truncatedVarint)
            #expect(try responderError("610000") == .truncatedVarint)
            #expect(try responderError("61000003") == .unexpectedMode(3))
            #expect(try responderError("610021" + String(repeating: "00", count: 33) + "00") == .boundPrefixTooLong(33))
            #expect(try responderError("610002aa") == .truncatedMessage)
            #expect(try responderError("61000001" + String(repeating: "00", count: 15)) == .truncatedMessage)
            #expect(try responderError("6100000201" + String(repeating: "00", count: 31)) == .truncatedMessage)
            #expect(try responderError("61000002ffffffff0f") == .truncatedMessage)
            #expect(try responderError("61000002ffffffffffffffffff01") == .varintOverflow)
            // Timestamp 10 (delta 11) with prefix bb, then timestamp 10 again (delta 1) with a prefix
            // that sorts below bb, and with no prefix at all.
            #expect(try responderError("610b01bb00" + "0101aa00") == .boundOutOfOrder)
            #expect(try responderError("610b01bb00" + "010000") == .boundOutOfOrder)
            // The same bound twice is not out of order (and infinity saturates: 10 past it is infinity).
            #expect(try responderError("610b01bb00" + "0101bb00") == nil)
            #expect(try responderError("61000000" + "0b0000") == nil)
        }

        @Test func initiatorRefusesOtherVersionsAndGarbage() throws {
            var initiator = try NegentropyInitiator(storage: try storage(Self.items))
            _ = try initiator.initiate()
            #expect(negentropyError { _ = try initiator.reconcile(bytes("62")) } == .unsupportedProtocolVersion(0x62))
            #expect(negentropyError { _ = try initiator.reconcile(bytes("61000002ff")) } == .truncatedVarint)
            #expect(negentropyError { _ = try initiator.reconcile(bytes("ff")) } == .invalidProtocolVersion(0xFF))
        }

        @Test func randomGarbageNeverCrashes() throws {
            var random = SeededGenerator(seed: 0x6A4B)
            let store = try storage(Self.items)
            for _ in 0..<3000 {
                var message: [UInt8] = [0x61]
                for _ in 0..<(random.next() % 80) {
                    // Mostly small bytes so varints end and modes are valid often enough to go deep.
                    message.append(
                        random.next() % 4 == 0 ? UInt8(truncatingIfNeeded: random.next()) : UInt8(random.next() % 4))
                }
                var responder = try NegentropyResponder(
                    storage: store, frameSizeLimit: random.next() % 2 == 0 ? 0 : 4096)
                _ = try? responder.reconcile(message)
                var initiator = try NegentropyInitiator(storage: store)
                _ = try initiator.initiate()
                _ = try? initiator.reconcile(message)
            }
        }
    }
}
