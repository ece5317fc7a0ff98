/// The directory's relays in memory, indexed for the scheduler: which relay to visit next and which
/// to evict when the directory is full, each found in O(log n).
///
/// Relays not in flight sit in one of two heaps. `waiting` holds those not known to be due, keyed
/// by `nextAttempt`; when a claim comes, every relay whose time has come moves to `due`, keyed by
/// (last attempt, url), where the least recently visited is on top. A relay that fails is simply
/// re-keyed far into `waiting`, so however often it fails it cannot hold the head of the queue —
/// the Go original's starvation bug. `evictable` holds the failing relays that may be dropped,
/// worst first.
struct VisitQueue {
    /// One relay and whether a visit to it is under way.
    struct Slot {
        var record: RelayRecord
        var inFlight = false
    }

    /// Order of due relays: never visited first, then the oldest last attempt, then by url (UTF-8
    /// byte order). Ties are common — every relay discovered in one pass has never been visited — so
    /// the url's first 16 bytes are compared as two integers before the strings themselves.
    struct DueKey: Comparable {
        var lastAttempt: Int64
        var head: UInt64
        var tail: UInt64
        var url: String

        init(lastAttempt: Int64, url: String) {
            self.lastAttempt = lastAttempt
            self.url = url
            var head: UInt64 = 0
            var tail: UInt64 = 0
            for (index, byte) in url.utf8.prefix(16).enumerated() {
                if index < 8 {
                    head |= UInt64(byte) << (56 - 8 * index)
                } else {
                    tail |= UInt64(byte) << (56 - 8 * (index - 8))
                }
            }
            self.head = head
            self.tail = tail
        }

        static func < (lhs: DueKey, rhs: DueKey) -> Bool {
            if lhs.lastAttempt != rhs.lastAttempt { return lhs.lastAttempt < rhs.lastAttempt }
            if lhs.head != rhs.head { return lhs.head < rhs.head }
            if lhs.tail != rhs.tail { return lhs.tail < rhs.tail }
            return lhs.url.utf8.lexicographicallyPrecedes(rhs.url.utf8)
        }

        static func == (lhs: DueKey, rhs: DueKey) -> Bool { lhs.lastAttempt == rhs.lastAttempt && lhs.url == rhs.url }
    }

    /// Order of eviction: never succeeded first, then most consecutive failures, then the oldest
    /// last success, then the oldest first seen, then by url.
    struct EvictionKey: Comparable {
        var neverSucceeded: Bool
        var consecutiveFailures: Int
        var lastSuccess: Int64
        var firstSeen: Int64
        var url: String

        static func < (lhs: EvictionKey, rhs: EvictionKey) -> Bool {
            if lhs.neverSucceeded != rhs.neverSucceeded { return lhs.neverSucceeded }
            if lhs.consecutiveFailures != rhs.consecutiveFailures {
                return lhs.consecutiveFailures > rhs.consecutiveFailures
            }
            if lhs.lastSuccess != rhs.lastSuccess { return lhs.lastSuccess < rhs.lastSuccess }
            if lhs.firstSeen != rhs.firstSeen { return lhs.firstSeen < rhs.firstSeen }
            return lhs.url < rhs.url
        }
    }

    private var slots: [Slot?] = []
    private var freeSlots: [Int] = []
    private var slotOf: [String: Int] = [:]
    private var waiting = IndexedHeap<Int64>()
    private var due = IndexedHeap<DueKey>()
    private var evictable = IndexedHeap<EvictionKey>()

    /// Relays claimed and not finished.
    private(set) var inFlightCount = 0

    /// How many relays are known.
    var count: Int { slotOf.count }

    /// Whether `url` is known.
    func contains(_ url: String) -> Bool { slotOf[url] != nil }

    /// The record of `url`, if known.
    func record(_ url: String) -> RelayRecord? { slotOf[url].flatMap { slots[$0]?.record } }

    /// Every record, in slot order.
    var records: [RelayRecord] { slots.compactMap { $0?.record } }

    /// The relay to evict first, if any may be.
    var evictionCandidate: String? { evictable.min?.key.url }

    /// When the next relay not in flight is due: a due relay's time (already passed) if there is
    /// one, else the earliest waiting time.
    var nextDueTime: Int64? {
        if let top = due.min { return slots[top.slot]!.record.nextAttempt }
        return waiting.min?.key
    }

    /// Adds a relay not known yet.
    mutating func insert(_ record: RelayRecord) {
        precondition(slotOf[record.url] == nil, "relay \(record.url) is already in the directory")
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            slots[slot] = Slot(record: record)
        } else {
            slot = slots.count
            slots.append(Slot(record: record))
        }
        slotOf[record.url] = slot
        reindex(slot)
    }

    /// Forgets `url`, returning its record.
    @discardableResult
    mutating func remove(_ url: String) -> RelayRecord? {
        guard let slot = slotOf.removeValue(forKey: url), let removed = slots[slot] else { return nil }
        waiting.remove(slot)
        due.remove(slot)
        evictable.remove(slot)
        if removed.inFlight { inFlightCount -= 1 }
        slots[slot] = nil
        freeSlots.append(slot)
        return removed.record
    }

    /// Changes `url`'s record; `reindex: false` is for fields no ordering depends on (`listedBy`).
    /// Returns the new record, or nil when `url` is unknown.
    @discardableResult
    mutating func update(_ url: String, reindex: Bool = true, _ body: (inout RelayRecord) -> Void) -> RelayRecord? {
        guard let slot = slotOf[url] else { return nil }
        body(&slots[slot]!.record)
        if reindex { self.reindex(slot) }
        return slots[slot]!.record
    }

    /// Claims the due relay visited least recently, if any.
    mutating func claimNextDue(now: Int64) -> RelayRecord? {
        while let top = waiting.min, top.key <= now {
            waiting.remove(top.slot)
            let record = slots[top.slot]!.record
            due.set(top.slot, key: DueKey(lastAttempt: record.lastAttempt ?? .min, url: record.url))
        }
        while let top = due.popMin() {
            let record = slots[top.slot]!.record
            // Only when the caller's clock went backwards is a relay in `due` not due yet.
            if record.nextAttempt > now {
                waiting.set(top.slot, key: record.nextAttempt)
                continue
            }
            markInFlight(top.slot)
            return record
        }
        return nil
    }

    /// Claims `url` whatever its schedule, unless it is unknown or already in flight.
    mutating func claim(_ url: String) -> RelayRecord? {
        guard let slot = slotOf[url], !slots[slot]!.inFlight else { return nil }
        markInFlight(slot)
        return slots[slot]!.record
    }

    /// Ends `url`'s claim (if it had one) after `body` records the visit, and schedules it again.
    /// Returns the new record, or nil when `url` is unknown.
    mutating func finish(_ url: String, _ body: (inout RelayRecord) -> Void) -> RelayRecord? {
        guard let slot = slotOf[url] else { return nil }
        if slots[slot]!.inFlight {
            slots[slot]!.inFlight = false
            inFlightCount -= 1
        }
        return update(url, body)
    }

    private mutating func markInFlight(_ slot: Int) {
        slots[slot]!.inFlight = true
        inFlightCount += 1
        waiting.remove(slot)
        due.remove(slot)
        evictable.remove(slot)
    }

    /// Puts `slot` back where its record says: in `waiting` unless in flight (the next claim moves
    /// it to `due` if its time has come), and in `evictable` when it may be dropped.
    private mutating func reindex(_ slot: Int) {
        let entry = slots[slot]!
        let record = entry.record
        due.remove(slot)
        if entry.inFlight {
            waiting.remove(slot)
            evictable.remove(slot)
            return
        }
        waiting.set(slot, key: record.nextAttempt)
        if record.isFailing && !record.isSeed {
            let key = EvictionKey(
                neverSucceeded: record.lastSuccess == nil, consecutiveFailures: record.consecutiveFailures,
                lastSuccess: record.lastSuccess ?? .min, firstSeen: record.firstSeen, url: record.url)
            evictable.set(slot, key: key)
        } else {
            evictable.remove(slot)
        }
    }
}
