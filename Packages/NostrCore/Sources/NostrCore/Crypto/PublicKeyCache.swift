import CSecp256k1
import Synchronization

/// A bounded, thread-safe cache of public keys already lifted onto the curve.
///
/// Verifying a BIP-340 signature starts by lifting the 32-byte x-only key to a curve point, a
/// square root that costs about a tenth of the whole verification. Relays see the same authors
/// again and again (profile and follow-list updates, imports and syncs ordered by author), so
/// caching the lifted point saves that work. The cache holds at most `capacity` keys in shards
/// with their own locks; a full shard is emptied, which bounds memory without bookkeeping.
public final class PublicKeyCache: Sendable {
    /// One lock and table; a class because `Mutex` cannot be copied into an array.
    private final class Shard: Sendable {
        let table = Mutex<[PublicKey: XOnlyKey]>([:])
    }

    private let shards: [Shard]
    private let shardCapacity: Int

    /// A cache of at most `capacity` keys (about 150 bytes each).
    public init(capacity: Int = 65_536) {
        let shardCount = 16
        shardCapacity = max(1, capacity / shardCount)
        shards = (0..<shardCount).map { _ in Shard() }
    }

    /// How many keys are cached now.
    public var count: Int { shards.reduce(0) { total, shard in total + shard.table.withLock { $0.count } } }

    /// Forgets every key.
    public func removeAll() {
        for shard in shards { shard.table.withLock { $0.removeAll(keepingCapacity: true) } }
    }

    /// The lifted key, from the cache or computed and remembered; `nil` if `key` is not on the curve.
    func lifted(_ key: PublicKey) -> XOnlyKey? {
        let shard = shards[Int(truncatingIfNeeded: key.raw.w3 & 15)]
        if let cached = shard.table.withLock({ $0[key] }) { return cached }
        guard let lifted = XOnlyKey(key) else { return nil }
        shard.table.withLock { table in
            if table.count >= shardCapacity { table.removeAll(keepingCapacity: true) }
            table[key] = lifted
        }
        return lifted
    }
}

/// An x-only public key parsed by libsecp256k1 (the lifted curve point, 64 opaque bytes).
struct XOnlyKey: Sendable {
    var value: secp256k1_xonly_pubkey

    /// Lifts `key`; `nil` if it is not the x coordinate of a curve point.
    init?(_ key: PublicKey) {
        var parsed = secp256k1_xonly_pubkey()
        let ok = key.raw.withUnsafeBytes {
            secp256k1_xonly_pubkey_parse(
                Secp256k1Context.shared.pointer, &parsed,
                $0.bindMemory(to: UInt8.self).baseAddress!)
        }
        guard ok == 1 else { return nil }
        value = parsed
    }
}
