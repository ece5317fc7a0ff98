import NostrCore
import NostrCoreTesting
import Testing

/// Two sets built from one seed: `difference` of the items are on one side only (half each way),
/// the rest on both. Timestamps are drawn from a narrow window so many items share a second and the
/// bounds need id prefixes.
private struct SetPair {
    var initiatorItems: [NegentropyItem] = []
    var responderItems: [NegentropyItem] = []
    var initiatorOnly: Set<EventID> = []
    var responderOnly: Set<EventID> = []

    init(size: Int, difference: Double, seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let window = UInt64(max(1, size / 8))
        for _ in 0..<size {
            let item = NegentropyItem(
                createdAt: 1_700_000_000 + random.next() % window,
                id: EventID(Bytes32(w0: random.next(), w1: random.next(), w2: random.next(), w3: random.next())))
            let draw = Double(random.next() >> 11) / Double(1 << 53)
            if draw >= difference {
                initiatorItems.append(item)
                responderItems.append(item)
            } else if random.next() % 2 == 0 {
                initiatorItems.append(item)
                initiatorOnly.insert(item.id)
            } else {
                responderItems.append(item)
                responderOnly.insert(item.id)
            }
        }
    }
}

/// Reconciles the pair and checks the result against the naive set difference; returns the rounds.
@discardableResult
private func reconcile(_ pair: SetPair, frameSizeLimit: Int, context: String) throws -> Int {
    var initiator = try NegentropyInitiator(
        storage: try NegentropyStorage(pair.initiatorItems), frameSizeLimit: frameSizeLimit)
    var responder = try NegentropyResponder(
        storage: try NegentropyStorage(pair.responderItems), frameSizeLimit: frameSizeLimit)
    var have: [EventID] = []
    var need: [EventID] = []
    var message = try initiator.initiate()
    var rounds = 0
    while true {
        rounds += 1
        guard rounds < 10_000 else {
            Issue.record("\(context): no end after \(rounds) rounds")
            return rounds
        }
        if frameSizeLimit != 0 {
            #expect(message.count <= frameSizeLimit, "\(context): initiator sent \(message.count) bytes")
        }
        let reply = try responder.reconcile(message)
        if frameSizeLimit != 0 {
            #expect(reply.count <= frameSizeLimit, "\(context): responder sent \(reply.count) bytes")
        }
        guard let next = try initiator.reconcile(reply, haveIDs: &have, needIDs: &need) else { break }
        message = next
    }
    #expect(have.count == Set(have).count, "\(context): an id reported twice in have")
    #expect(need.count == Set(need).count, "\(context): an id reported twice in need")
    #expect(Set(have) == pair.initiatorOnly, "\(context): have differs from the naive difference")
    #expect(Set(need) == pair.responderOnly, "\(context): need differs from the naive difference")
    return rounds
}

extension NegentropyTests {
    @Suite struct Reconciliation {
        static let differences = [0.0, 0.01, 0.5, 1.0]

        @Test(arguments: [0, 1, 100, 10_000])
        func reconcilesToTheSymmetricDifference(size: Int) throws {
            for (index, difference) in Self.differences.enumerated() {
                for frameSizeLimit in [0, 4096] {
                    let seed = UInt64(size) &* 1_000 &+ UInt64(index)
                    let pair = SetPair(size: size, difference: difference, seed: seed)
                    try reconcile(
                        pair, frameSizeLimit: frameSizeLimit,
                        context: "seed \(seed) size \(size) difference \(difference) frame limit \(frameSizeLimit)")
                }
            }
        }

        @Test func oneItemOnEachSideAndSmallEdges() throws {
            // Sizes 1 and 2 with every placement, so each side alone and both together occur.
            for seed in UInt64(0)..<40 {
                for difference in [0.5, 1.0] {
                    let pair = SetPair(size: Int(seed % 3), difference: difference, seed: seed)
                    try reconcile(pair, frameSizeLimit: 0, context: "seed \(seed) difference \(difference)")
                }
            }
        }

        @Test func oneHundredThousandItemsWithAFrameLimit() throws {
            let pair = SetPair(size: 100_000, difference: 0.01, seed: 0x100_000)
            let rounds = try reconcile(
                pair, frameSizeLimit: 60_000, context: "seed 0x100000 size 100000 difference 0.01")
            #expect(rounds > 1)
        }

        @Test func identicalSetsFinishAfterOneRound() throws {
            let pair = SetPair(size: 10_000, difference: 0, seed: 7)
            #expect(try reconcile(pair, frameSizeLimit: 0, context: "identical") == 1)
        }
    }
}
