import ArgumentParser
import Dispatch
import Foundation
import NostrCore
import NostrCoreTesting
import Synchronization

// MARK: - REQ load

/// The pubkeys the REQ mix draws from.
struct RequestMix: Sendable {
    let pubkeys: [PublicKey]
    /// The most followed pubkeys, for follower lookups.
    let popular: [PublicKey]

    static let shapes = ["kind 3 by 1 author", "kinds 0/3/10002 by 50 authors", "followers #p limit 500"]

    /// The filter JSON of shape `shape`.
    func filter(_ shape: Int, random: inout SeededGenerator) -> String {
        func pick(_ values: [PublicKey]) -> PublicKey { values[Int(random.next() % UInt64(values.count))] }
        switch shape {
        case 0: return Filter(authors: [pick(pubkeys)], kinds: [.followList]).jsonString
        case 1:
            return Filter(authors: (0..<50).map { _ in pick(pubkeys) }, kinds: [.metadata, .followList, .relayList])
                .jsonString
        default:
            return Filter(kinds: [.followList], tags: [TagCondition("p", [pick(popular).hex])], limit: 500).jsonString
        }
    }
}

/// A closed loop of REQs: every connection sends the next one as soon as the last one's EOSE is in.
struct RequestLoad {
    let mix: RequestMix
    let connections: [RelayConnection]
    let seed: UInt64

    /// One timed request.
    struct Sample: Sendable {
        var shape: Int
        var milliseconds: Double
        var events: Int
        var failure: String?
    }

    /// Runs until `done` says so (asked after each request); `phase` varies the draws.
    func run(phase: UInt64, until done: @escaping @Sendable () -> Bool) async -> LoadResult {
        let clock = ContinuousClock()
        let start = clock.now
        let mix = mix
        let seed = seed
        let samples = await withTaskGroup(of: [Sample].self) { group in
            for (index, connection) in connections.enumerated() {
                group.addTask {
                    var random = SeededGenerator(seed: seed ^ phase << 40 ^ UInt64(index) << 20 ^ 0xA11A)
                    var samples: [Sample] = []
                    var request = 0
                    repeat {
                        let shape = (index + request) % RequestMix.shapes.count
                        let filter = mix.filter(shape, random: &random)
                        samples.append(await Self.request(filter, shape: shape, id: "a\(request)", on: connection))
                        request += 1
                    } while !done() && !connection.isClosed
                    return samples
                }
            }
            var all: [Sample] = []
            for await part in group { all += part }
            return all
        }
        return LoadResult(samples: samples, seconds: seconds(clock.now - start))
    }

    /// Sends one REQ, counts its events up to EOSE, then CLOSEs it.
    private static func request(
        _ filter: String, shape: Int, id: String, on connection: RelayConnection
    ) async
        -> Sample
    {
        let start = ContinuousClock.now
        var sample = Sample(shape: shape, milliseconds: 0, events: 0)
        do {
            try await connection.send(#"["REQ",""# + id + #"","# + filter + "]")
            while let reply = await connection.next() {
                guard reply.string(1) == id else { continue }
                switch reply.type {
                case "EVENT": sample.events += 1
                case "EOSE":
                    sample.milliseconds = seconds(reply.at - start) * 1000
                    try await connection.send(#"["CLOSE",""# + id + #""]"#)
                    return sample
                case "CLOSED":
                    sample.failure = reply.string(2) ?? reply.text
                    return sample
                default: continue
                }
            }
            sample.failure = connection.isClosed ? "connection closed" : "no EOSE (timed out)"
        } catch {
            sample.failure = "\(error)"
        }
        return sample
    }
}

/// The samples of one load phase.
struct LoadResult: Sendable {
    let samples: [RequestLoad.Sample]
    let seconds: Double

    /// Latencies of the requests that got their EOSE.
    var latencies: Percentiles { Percentiles(samples.filter { $0.failure == nil }.map(\.milliseconds)) }

    func report() {
        print(
            "  \(samples.count) REQs in \(String(format: "%.1f", seconds)) s"
                + " = \(Int(Double(samples.count) / max(seconds, 1e-9))) REQs/s")
        print("  shape                               count   p50 ms   p99 ms   max ms   mean events   failed")
        for (shape, name) in RequestMix.shapes.enumerated() {
            line(name, samples.filter { $0.shape == shape })
        }
        line("overall", samples)
        var failures: [String: Int] = [:]
        for sample in samples { if let failure = sample.failure { failures[failure, default: 0] += 1 } }
        for (failure, count) in failures.sorted(by: { $0.value > $1.value }) {
            print("      \(pad(count, 7)) failed: \(failure)")
        }
    }

    private func line(_ name: String, _ samples: [RequestLoad.Sample]) {
        let good = samples.filter { $0.failure == nil }
        let meanEvents = Double(good.reduce(0) { $0 + $1.events }) / Double(max(1, good.count))
        print(
            "  \(name.padding(toLength: 34, withPad: " ", startingAt: 0)) \(pad(samples.count, 6))"
                + " \(Percentiles(good.map(\.milliseconds)).formatted) \(String(format: "%13.1f", meanEvents))"
                + " \(pad(samples.count - good.count, 8))")
    }
}
