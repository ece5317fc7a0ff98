// The three workloads of `purplepages-bench relay`: ingest, REQ latency and fan-out.
import ArgumentParser
import Dispatch
import Foundation
import NostrCore
import NostrCoreTesting

// MARK: - Ingest

/// Publishes a corpus over 1, 10 and 50 connections, each keeping `window` EVENTs awaiting their OK.
struct IngestBenchmark {
    let session: RelaySession
    let window: Int

    /// What the relay answered one publisher.
    struct Tally: Sendable {
        var accepted = 0
        var duplicates = 0
        var rejected = 0
        var unanswered = 0
        /// OK false (and duplicate) messages by their prefix, with one example each.
        var reasons: [String: (count: Int, example: String)] = [:]

        mutating func add(_ other: Tally) {
            accepted += other.accepted
            duplicates += other.duplicates
            rejected += other.rejected
            unanswered += other.unanswered
            for (key, value) in other.reasons {
                reasons[key, default: (0, value.example)].count += value.count
            }
        }
    }

    func run(corpus: Corpus, slice: Int, pubkeys: Int, seed: UInt64) async throws {
        print("ingest (window \(window) per publisher):")
        print("  publishers   events   seconds   events/s   OK true (dup)   OK false   no OK")
        // The small runs use corpora of their own keys, so their events are new to the relay.
        let slicePubkeys = max(1, min(pubkeys, Int(Double(slice) / 3.35)))
        for (publishers, runSeed) in [(1, seed &+ 1001), (10, seed &+ 1010)] {
            let small = CorpusGenerator(pubkeys: slicePubkeys, seed: runSeed)
            let parts = SendableBox(ParallelBatches(count: slicePubkeys))
            DispatchQueue.concurrentPerform(iterations: slicePubkeys) {
                parts.value.set($0, small.events(forPubkey: $0))
            }
            let events = Array(parts.value.all().flatMap { $0 }.prefix(slice))
            try await publish(events, publishers: publishers)
        }
        try await publish(corpus.events, publishers: 50)
    }

    private func publish(_ events: [Event], publishers: Int) async throws {
        // Messages are built before the clock starts; publisher i takes every publishers-th event.
        let shares: [[(id: String, message: String)]] = (0..<publishers).map { index in
            stride(from: index, to: events.count, by: publishers).map {
                (events[$0].id.hex, #"["EVENT","# + events[$0].jsonString + "]")
            }
        }
        let connections = try await session.connect(count: publishers)
        let clock = ContinuousClock()
        let start = clock.now
        let tallies = await withTaskGroup(of: Tally.self) { group in
            for (connection, share) in zip(connections, shares) {
                group.addTask { await publish(share, on: connection) }
            }
            var total = Tally()
            for await tally in group { total.add(tally) }
            return total
        }
        let elapsed = seconds(clock.now - start)
        await session.close(connections)
        let answered = tallies.accepted + tallies.rejected
        print(
            "  \(pad(publishers, 10)) \(pad(events.count, 8)) \(String(format: "%9.2f", elapsed))"
                + " \(pad(Int(Double(answered) / elapsed), 10)) \(pad(tallies.accepted, 9)) (\(tallies.duplicates))"
                + " \(pad(tallies.rejected, 10)) \(pad(tallies.unanswered, 7))")
        for (prefix, entry) in tallies.reasons.sorted(by: { $0.value.count > $1.value.count }) {
            print("      \(pad(entry.count, 7)) × \(prefix): e.g. \"\(entry.example)\"")
        }
    }

    /// Sends `share` keeping up to `window` EVENTs unanswered, counting each OK by its event id.
    private func publish(_ share: [(id: String, message: String)], on connection: RelayConnection) async -> Tally {
        var tally = Tally()
        var pending = Set<String>()
        var next = 0
        do {
            while next < share.count || !pending.isEmpty {
                while pending.count < window && next < share.count {
                    pending.insert(share[next].id)
                    try await connection.send(share[next].message)
                    next += 1
                }
                guard let reply = await connection.next() else { break }
                guard reply.type == "OK", let id = reply.string(1), pending.remove(id) != nil else { continue }
                let message = reply.string(3) ?? ""
                if case .bool(true) = reply[2] {
                    tally.accepted += 1
                    if message.hasPrefix("duplicate") {
                        tally.duplicates += 1
                        tally.reasons["OK true duplicate", default: (0, message)].count += 1
                    }
                } else {
                    tally.rejected += 1
                    let prefix = "OK false " + (message.split(separator: ":").first.map(String.init) ?? "")
                    tally.reasons[prefix, default: (0, message)].count += 1
                }
            }
        } catch {
            print("  publisher failed: \(error)")
        }
        tally.unanswered = pending.count + (share.count - next)
        return tally
    }
}

// MARK: - REQ

/// Concurrent clients each sending REQs one after another from the query mix, timing REQ → EOSE.
struct RequestBenchmark {
    let session: RelaySession
    let clients: Int
    let requests: Int

    /// One timed request.
    struct Sample: Sendable {
        var shape: Int
        var milliseconds: Double
        var events: Int
        var failed: Bool
        /// The CLOSED message or error of a failed request.
        var failure = ""
    }

    static let shapes = [
        "kinds 0/3/10002 by 1 author", "kinds 0/3/10002 by 50 authors", "kinds 0/3/10002 by 500 authors",
        "followers #p limit 500", "NIP-51 lists by 1 author", "20 ids",
    ]

    /// The filter JSON of shape `shape`, drawn from `corpus`.
    static func filter(_ shape: Int, corpus: Corpus, random: inout SeededGenerator) -> String {
        func pick<T>(_ values: [T]) -> T { values[Int(random.next() % UInt64(values.count))] }
        let profileKinds: [Kind] = [.metadata, .followList, .relayList]
        switch shape {
        case 0: return Filter(authors: [pick(corpus.pubkeys)], kinds: profileKinds).jsonString
        case 1: return Filter(authors: (0..<50).map { _ in pick(corpus.pubkeys) }, kinds: profileKinds).jsonString
        case 2: return Filter(authors: (0..<500).map { _ in pick(corpus.pubkeys) }, kinds: profileKinds).jsonString
        case 3:
            return Filter(kinds: [.followList], tags: [TagCondition("p", [pick(corpus.pubkeys).hex])], limit: 500)
                .jsonString
        case 4: return Filter(authors: [pick(corpus.listAuthors)], kinds: [10000, 30000]).jsonString
        default: return Filter(ids: (0..<20).map { _ in pick(corpus.ids) }).jsonString
        }
    }

    func run(corpus: Corpus, seed: UInt64) async throws {
        let connections = try await session.connect(count: clients)
        let perClient = max(1, requests / max(1, clients))
        let clock = ContinuousClock()
        let start = clock.now
        let samples = await withTaskGroup(of: [Sample].self) { group in
            for (index, connection) in connections.enumerated() {
                group.addTask {
                    var random = SeededGenerator(seed: seed ^ 0x5EED ^ UInt64(index) << 20)
                    var samples: [Sample] = []
                    for request in 0..<perClient {
                        let shape = (index + request) % Self.shapes.count
                        let filter = Self.filter(shape, corpus: corpus, random: &random)
                        samples.append(await Self.request(filter, shape: shape, id: "q\(request)", on: connection))
                        if samples.last?.failed == true && connection.isClosed { break }
                    }
                    return samples
                }
            }
            var all: [Sample] = []
            for await part in group { all += part }
            return all
        }
        let elapsed = seconds(clock.now - start)
        await session.close(connections)
        print(
            "req: \(samples.count) REQs over \(clients) connections in \(String(format: "%.2f", elapsed)) s"
                + " = \(Int(Double(samples.count) / elapsed)) requests/s (REQ → EOSE, ms)")
        print("  shape                               count   p50 ms   p99 ms   max ms   mean events   failed")
        for (shape, name) in Self.shapes.enumerated() {
            report(name, samples.filter { $0.shape == shape })
        }
        report("overall", samples)
        var failures: [String: Int] = [:]
        for sample in samples where sample.failed { failures[sample.failure, default: 0] += 1 }
        for (failure, count) in failures.sorted(by: { $0.value > $1.value }) {
            print("      \(pad(count, 7)) failed: \(failure)")
        }
    }

    /// Sends one REQ, collects its stored events up to EOSE, then CLOSEs it.
    private static func request(
        _ filter: String, shape: Int, id: String, on connection: RelayConnection
    ) async
        -> Sample
    {
        let clock = ContinuousClock()
        let start = clock.now
        var events = 0
        do {
            try await connection.send(#"["REQ",""# + id + #"","# + filter + "]")
            while let reply = await connection.next() {
                guard reply.string(1) == id else { continue }
                switch reply.type {
                case "EVENT": events += 1
                case "EOSE":
                    try await connection.send(#"["CLOSE",""# + id + #""]"#)
                    return Sample(
                        shape: shape, milliseconds: seconds(reply.at - start) * 1000, events: events, failed: false)
                case "CLOSED":
                    return Sample(
                        shape: shape, milliseconds: 0, events: events, failed: true,
                        failure: reply.string(2) ?? reply.text)
                default: continue
                }
            }
            return Sample(
                shape: shape, milliseconds: seconds(clock.now - start) * 1000, events: events, failed: true,
                failure: connection.isClosed ? "connection closed" : "no EOSE (timed out)")
        } catch {
            return Sample(
                shape: shape, milliseconds: seconds(clock.now - start) * 1000, events: events, failed: true,
                failure: "\(error)")
        }
    }

    private func report(_ name: String, _ samples: [Sample]) {
        let good = samples.filter { !$0.failed }
        let latencies = Percentiles(good.map(\.milliseconds))
        let meanEvents = Double(good.reduce(0) { $0 + $1.events }) / Double(max(1, good.count))
        print(
            "  \(name.padding(toLength: 34, withPad: " ", startingAt: 0)) \(pad(samples.count, 6))"
                + " \(latencies.formatted) \(String(format: "%13.1f", meanEvents)) \(pad(samples.count - good.count, 8))"
        )
    }
}

// MARK: - Fanout

/// Many connections subscribed to one author's kind 0; that author publishes updates at a fixed
/// pace and every subscriber times each delivery against the moment the EVENT was sent.
struct FanoutBenchmark {
    let session: RelaySession
    let subscribers: Int
    let events: Int

    func run() async throws {
        let publisherKey = CorpusGenerator(pubkeys: 1, seed: 0xFA_0017).keyPairs[0]
        let clock = ContinuousClock()
        let connectStart = clock.now
        let connections = try await session.connect(count: subscribers)
        let filter = Filter(authors: [publisherKey.publicKey], kinds: [.metadata]).jsonString
        // Subscribe everyone and wait for every EOSE (the stored profile, if any, is discarded).
        let (subscribed, failure) = await withTaskGroup(of: String?.self) { group in
            for connection in connections {
                group.addTask {
                    do { try await connection.send(#"["REQ","fan","# + filter + "]") } catch { return "\(error)" }
                    while let reply = await connection.next() {
                        if reply.string(1) == "fan" && reply.type == "EOSE" { return nil }
                        if reply.string(1) == "fan" && reply.type == "CLOSED" { return reply.text }
                    }
                    return connection.isClosed ? "connection closed" : "no EOSE (timed out)"
                }
            }
            var count = 0
            var failure: String?
            for await problem in group {
                if let problem { failure = failure ?? problem } else { count += 1 }
            }
            return (count, failure)
        }
        if let failure { print("  a subscription failed: \(failure)") }
        print(
            "fanout: \(subscribed)/\(connections.count) subscribers ready in"
                + " \(String(format: "%.1f", seconds(clock.now - connectStart))) s; publishing \(events) kind 0 events 250 ms apart"
        )

        let publisher = try await session.connect(count: 1)[0]
        let baseTime = Int64(Date().timeIntervalSince1970) - Int64(events)
        let signed = (0..<events).map { index in
            publisherKey.sign(
                kind: .metadata, content: #"{"name":"fanout \#(index)","about":"purplepages-bench"}"#,
                createdAt: baseTime + Int64(index))
        }
        let expected = Set(signed.map(\.id.hex))
        let eventCount = events
        // Subscribers collect (id, arrival) until they have every event or a wait times out.
        let receiving = Task {
            await withTaskGroup(of: [(String, ContinuousClock.Instant)].self) { group in
                for connection in connections {
                    group.addTask {
                        var seen: [(String, ContinuousClock.Instant)] = []
                        while seen.count < eventCount, let reply = await connection.next() {
                            guard reply.type == "EVENT", reply.string(1) == "fan",
                                let id = reply[2]?["id"]?.stringValue, expected.contains(id)
                            else { continue }
                            seen.append((id, reply.at))
                        }
                        return seen
                    }
                }
                var all: [[(String, ContinuousClock.Instant)]] = []
                for await part in group { all.append(part) }
                return all
            }
        }
        var sentAt: [String: ContinuousClock.Instant] = [:]
        let publishStart = clock.now
        for (index, event) in signed.enumerated() {
            try await clock.sleep(until: publishStart + .milliseconds(250 * index))
            sentAt[event.id.hex] = clock.now
            try await publisher.send(#"["EVENT","# + event.jsonString + "]")
        }
        var accepted = 0
        var rejections: [String] = []
        for _ in 0..<events {
            guard let reply = await publisher.next() else { break }
            guard reply.type == "OK" else { continue }
            if case .bool(true) = reply[2] { accepted += 1 } else { rejections.append(reply.string(3) ?? "") }
        }
        let deliveries = await receiving.value
        await session.close(connections + [publisher])

        var latencies: [Double] = []
        for delivery in deliveries.joined() {
            if let sent = sentAt[delivery.0] { latencies.append(seconds(delivery.1 - sent) * 1000) }
        }
        let complete = deliveries.filter { $0.count == events }.count
        print(
            "  published \(accepted)/\(events) OK true"
                + (rejections.isEmpty ? "" : ", OK false e.g. \"\(rejections[0])\""))
        print(
            "  deliveries: \(latencies.count) of \(events * subscribed) expected;"
                + " \(complete) subscribers got every event")
        print("  publish-send → delivery ms:  p50      p99      max")
        print("                            \(Percentiles(latencies).formatted)")
    }
}
