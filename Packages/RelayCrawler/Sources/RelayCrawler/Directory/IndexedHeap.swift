/// A binary min-heap of slots (small integers naming relays) that also knows where each slot sits,
/// so a slot can be re-keyed or removed in O(log n) when its relay changes — no stale entries to
/// skip later, and no scan of the directory on any path.
struct IndexedHeap<Key: Comparable> {
    /// A slot and the key it is ordered by.
    struct Entry {
        var key: Key
        var slot: Int
    }

    private var entries: [Entry] = []
    /// Slot → index in `entries`, or -1 when absent. Grows with the highest slot seen.
    private var positions: [Int32] = []

    /// How many slots are in the heap.
    var count: Int { entries.count }

    /// The slot with the smallest key, without removing it.
    var min: Entry? { entries.first }

    /// Whether `slot` is in the heap.
    func contains(_ slot: Int) -> Bool { slot < positions.count && positions[slot] >= 0 }

    /// Adds `slot` with `key`, or re-keys it if it is already there.
    mutating func set(_ slot: Int, key: Key) {
        if contains(slot) {
            let index = Int(positions[slot])
            entries[index].key = key
            siftUp(siftDown(index))
            return
        }
        if slot >= positions.count {
            positions.append(contentsOf: repeatElement(-1, count: slot + 1 - positions.count))
        }
        entries.append(Entry(key: key, slot: slot))
        positions[slot] = Int32(entries.count - 1)
        siftUp(entries.count - 1)
    }

    /// Removes `slot` if it is there.
    mutating func remove(_ slot: Int) {
        guard contains(slot) else { return }
        let index = Int(positions[slot])
        positions[slot] = -1
        let last = entries.removeLast()
        guard index < entries.count else { return }
        entries[index] = last
        positions[last.slot] = Int32(index)
        siftUp(siftDown(index))
    }

    /// Removes and returns the slot with the smallest key.
    mutating func popMin() -> Entry? {
        guard let first = entries.first else { return nil }
        remove(first.slot)
        return first
    }

    /// Moves the entry at `index` up while it is smaller than its parent; returns where it ends.
    @discardableResult
    private mutating func siftUp(_ index: Int) -> Int {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].key < entries[parent].key else { break }
            swapAt(child, parent)
            child = parent
        }
        return child
    }

    /// Moves the entry at `index` down while a child is smaller; returns where it ends.
    private mutating func siftDown(_ index: Int) -> Int {
        var parent = index
        while true {
            let left = 2 * parent + 1
            guard left < entries.count else { return parent }
            let right = left + 1
            let smaller = right < entries.count && entries[right].key < entries[left].key ? right : left
            guard entries[smaller].key < entries[parent].key else { return parent }
            swapAt(parent, smaller)
            parent = smaller
        }
    }

    private mutating func swapAt(_ first: Int, _ second: Int) {
        entries.swapAt(first, second)
        positions[entries[first].slot] = Int32(first)
        positions[entries[second].slot] = Int32(second)
    }
}
