import Dispatch
import NostrCore

/// The part of a kind 3 or kind 10000 event the worker uses: its author and its valid `p` values.
struct ParsedList {
    /// The author; nil when the event did not parse.
    var author: Bytes32?
    /// Valid `p` values (64 lowercase hex), in order, duplicates kept.
    var targets: [Bytes32]
    /// `p` values that were not 64 lowercase hex.
    var invalid: Int
}

/// Parses batches of stored events on every core: parsing is most of the cost of loading the graph,
/// and each event is independent. Results come back in input order.
enum ListParsing {
    /// Events per parallel batch: enough to keep the cores busy, small enough to bound memory.
    static let batchSize = 16_384

    /// Parses `jsons` (pointers into the store, valid while its read transaction lasts).
    static func parse(_ jsons: [UnsafeRawBufferPointer]) -> [ParsedList] {
        let slices = min(jsons.count, 64)
        guard slices > 1 else { return jsons.map(parse) }
        let results = ResultBuffer(count: jsons.count)
        defer { results.deallocate() }
        let input = InputBox(jsons)
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
            let lower = input.jsons.count * slice / slices
            let upper = input.jsons.count * (slice + 1) / slices
            for index in lower..<upper { results.store(parse(input.jsons[index]), at: index) }
        }
        return results.moveAll()
    }

    /// Parses one event.
    static func parse(_ json: UnsafeRawBufferPointer) -> ParsedList {
        guard let event = try? Event(json: json) else { return ParsedList(author: nil, targets: [], invalid: 0) }
        var targets: [Bytes32] = []
        targets.reserveCapacity(event.tags.count)
        var invalid = 0
        for tag in event.tags where tag.count >= 2 && tag.hasSingleLetterName(UInt8(ascii: "p")) {
            if let key = tag.withBytes(at: 1, { Bytes32(hexASCII: $0) }) {
                targets.append(key)
            } else {
                invalid += 1
            }
        }
        return ParsedList(author: event.pubkey.raw, targets: targets, invalid: invalid)
    }

    /// Uninitialised memory that each slice fills at its own indices only, so it needs no lock
    /// (an Array would be one shared variable under Swift's exclusivity rules).
    private final class ResultBuffer: @unchecked Sendable {
        private let buffer: UnsafeMutableBufferPointer<ParsedList>

        init(count: Int) { buffer = .allocate(capacity: count) }

        func store(_ value: ParsedList, at index: Int) { (buffer.baseAddress! + index).initialize(to: value) }

        /// Every stored value, moved out (all indices must have been stored).
        func moveAll() -> [ParsedList] {
            Array(unsafeUninitializedCapacity: buffer.count) { target, count in
                _ = target.moveInitialize(fromContentsOf: buffer)
                count = buffer.count
            }
        }

        func deallocate() { buffer.deallocate() }
    }

    private final class InputBox: @unchecked Sendable {
        let jsons: [UnsafeRawBufferPointer]
        init(_ jsons: [UnsafeRawBufferPointer]) { self.jsons = jsons }
    }
}
