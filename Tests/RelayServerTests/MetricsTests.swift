import Foundation
import NostrCore
import PurplePagesTestSupport
import Testing

@Suite("Prometheus metrics over HTTP")
struct MetricsTests {
    @Test func countsConnectionsEventsAndRequests() async throws {
        try await withTestRelay { _, port async throws in
            try await withClient(port: port) { client async throws in
                let pair = KeyPair.generate()
                let good = pair.sign(kind: .metadata, content: "{}", createdAt: Int64(Date().timeIntervalSince1970))
                #expect(try await client.publish(good).accepted)
                let bad = pair.sign(kind: 1, content: "not allowed", createdAt: Int64(Date().timeIntervalSince1970))
                #expect(try await !client.publish(bad).accepted)
                _ = try await client.requestRaw("m", [Filter(kinds: [.metadata])])
                let answer = try await httpGet("http://127.0.0.1:\(port)/metrics")
                #expect(answer.status == 200)
                #expect(answer.header("Content-Type")?.hasPrefix("text/plain") == true)
                let text = answer.text
                #expect(prometheusSample(text, #"purplepages_events_received_total{kind="0",outcome="accepted"}"#) == 1)
                #expect(prometheusSample(text, #"purplepages_events_rejected_total{reason="blocked"}"#) == 1)
                #expect(prometheusSample(text, #"purplepages_messages_received_total{type="REQ"}"#) == 1)
                #expect(prometheusSample(text, #"purplepages_messages_received_total{type="EVENT"}"#) == 2)
                #expect(prometheusSample(text, "purplepages_open_connections") == 1)
                #expect(prometheusSample(text, "purplepages_connections_accepted_total") == 1)
                #expect(prometheusSample(text, "purplepages_live_subscriptions") == 1)
                // The accepted event was committed by the store's writer: one batch of one event.
                #expect(prometheusSample(text, "purplepages_writer_batch_events_count") == 1)
                #expect(prometheusSample(text, "purplepages_writer_batch_events_sum") == 1)
                #expect(prometheusSample(text, "purplepages_writer_commit_seconds_count") == 1)
                #expect(prometheusSample(text, "purplepages_slow_consumers_total") == 0)
            }
        }
    }

    /// Every message is counted once under its type; malformed ones, oversized ones and binary
    /// frames as `invalid`, well-formed ones of a type the relay does not know as `unknown`.
    @Test func countsMessagesByType() async throws {
        try await withTestRelay(configure: { $0.limits.maxMessageBytes = 1000 }) { _, port async throws in
            try await withClient(port: port) { client async throws in
                let pair = KeyPair.generate()
                let profile = pair.event(.metadata, content: "{}")
                #expect(try await client.publish(profile).accepted)
                // Subscriptions the profile does not match: its fan-out may come after their EOSE.
                #expect(try await client.requestRaw("r1", [Filter(kinds: [.followList])]).isEmpty)
                #expect(try await client.requestRaw("r2", [Filter(kinds: [.muteList])]).isEmpty)
                #expect(try await client.count("c", [Filter(kinds: [.metadata])]) == 1)
                try await client.send(close: "r1")
                _ = try await client.authenticate(as: pair)
                // A NEG-OPEN the relay answers NEG-ERR: still a NEG-OPEN received.
                try await client.send(#"["NEG-OPEN","n",{},"6100"]"#)
                let negentropy = try await client.nextReply()
                #expect(negentropy.type == "NEG-ERR", "\(negentropy.text)")
                for junk in [#"["HELLO","x"]"#, #"["hello"]"#] {
                    try await client.send(junk)
                    #expect(try await client.nextReply().type == "NOTICE")
                }
                let oversized = #"["REQ","big",{"search":""# + String(repeating: "x", count: 2000) + #""}]"#
                for junk in ["not json", "[]", #"["REQ"]"#, #"["\u0045VENT"]"#, oversized] {
                    try await client.send(junk)
                    _ = try await client.nextReply()
                }
                try await client.sendBinary(Array(#"["REQ","bin",{}]"#.utf8))
                #expect(try await client.nextReply().type == "NOTICE")

                let text = try await httpGet("http://127.0.0.1:\(port)/metrics").text
                let expected: [String: Double] = [
                    "EVENT": 1, "REQ": 2, "COUNT": 1, "CLOSE": 1, "AUTH": 1, "NEG-OPEN": 1, "NEG-MSG": 0,
                    "NEG-CLOSE": 0, "unknown": 2, "invalid": 6,
                ]
                for (type, count) in expected {
                    let sample = prometheusSample(text, #"purplepages_messages_received_total{type="\#(type)"}"#)
                    #expect(sample == count, "\(type)")
                }
                // The label set is fixed: no series for what clients made up.
                let series = text.split(separator: "\n").filter { $0.hasPrefix("purplepages_messages_received_total{") }
                #expect(series.count == expected.count, "\(series)")
            }
        }
    }

    /// EVENTs by kind and outcome; kinds outside `allowed_kinds` share the label "other", and a large
    /// range of the set is one label, so clients cannot add series.
    @Test func countsEventsByKindAndOutcome() async throws {
        try await withTestRelay(configure: { $0.limits.eventRate = 1000 }) { _, port async throws in
            try await withClient(port: port) { client async throws in
                let pair = KeyPair.generate()
                let profile = pair.event(.metadata, content: "{}")
                #expect(try await client.publish(profile).accepted)
                #expect(try await client.publish(profile) == (true, "duplicate: already have this event"))
                let relays = pair.event(.relayList, tags: [["r", "wss://example.com"]])
                #expect(try await client.publish(relays).accepted)
                for kind in [1, 7, 1111, 20000, 65535] as [UInt16] {
                    #expect(try await !client.publish(pair.event(Kind(rawValue: kind), content: "no")).accepted)
                }
                let follows = pair.event(.followList)
                let otherSig = KeyPair.generate().event(.followList).sig.hex
                let forged = follows.jsonString.replacingOccurrences(of: follows.sig.hex, with: otherSig)
                #expect(try await !client.publish(rawEvent: forged, id: follows.id.hex).accepted)

                let text = try await httpGet("http://127.0.0.1:\(port)/metrics").text
                func events(_ kind: String, _ outcome: String) -> Double? {
                    prometheusSample(text, #"purplepages_events_received_total{kind="\#(kind)",outcome="\#(outcome)"}"#)
                }
                #expect(events("0", "accepted") == 1)
                #expect(events("0", "duplicate") == 1)
                #expect(events("10000-19999", "accepted") == 1)
                #expect(events("other", "rejected") == 5)
                #expect(events("3", "rejected") == 1)
                #expect(events("3", "accepted") == 0)
                #expect(events("5", "accepted") == 0, "kind 5 is always allowed, so it has its own label")
                // The default allowed_kinds (0, 3, 10000-19999, 30000-39999, plus 5): five labels and
                // "other", four outcomes each.
                let kinds = Set(
                    text.split(separator: "\n").filter { $0.hasPrefix("purplepages_events_received_total{") }.compactMap
                    {
                        $0.split(separator: "\"").dropFirst().first.map(String.init)
                    })
                #expect(kinds == ["0", "3", "5", "10000-19999", "30000-39999", "other"])
            }
        }
    }

    /// Prometheus naming: every counter ends in `_total`, no base name is both a gauge and a counter,
    /// every sample belongs to a declared family, and the process and store metrics are there.
    @Test func namesFollowPrometheusConventions() async throws {
        try await withTestRelay { _, port async throws in
            try await withClient(port: port) { client async throws in
                #expect(try await client.publish(KeyPair.generate().event(.metadata, content: "{}")).accepted)
                let text = try await httpGet("http://127.0.0.1:\(port)/metrics").text
                var types: [String: String] = [:]
                for line in text.split(separator: "\n") where line.hasPrefix("# TYPE ") {
                    let parts = line.split(separator: " ")
                    #expect(parts.count == 4, "\(line)")
                    #expect(
                        types.updateValue(String(parts[3]), forKey: String(parts[2])) == nil, "declared twice: \(line)")
                }
                let expected = [
                    "purplepages_open_connections": "gauge", "purplepages_connections_accepted_total": "counter",
                    "purplepages_messages_received_total": "counter", "purplepages_events_received_total": "counter",
                    "purplepages_events_rejected_total": "counter", "purplepages_live_subscriptions": "gauge",
                    "purplepages_query_seconds": "histogram", "purplepages_slow_consumers_total": "counter",
                    "purplepages_writer_batch_events": "histogram", "purplepages_writer_commit_seconds": "histogram",
                    "purplepages_writer_queued_events": "gauge", "purplepages_store_size_bytes": "gauge",
                    "purplepages_store_map_size_bytes": "gauge", "purplepages_negentropy_sessions": "gauge",
                    "purplepages_negentropy_items": "gauge", "process_cpu_seconds_total": "counter",
                    "process_resident_memory_bytes": "gauge", "process_virtual_memory_bytes": "gauge",
                    "process_open_fds": "gauge", "process_max_fds": "gauge", "process_start_time_seconds": "gauge",
                ]
                #expect(types == expected)
                for (name, type) in types {
                    #expect(["counter", "gauge", "histogram"].contains(type), "\(name) \(type)")
                    #expect((type == "counter") == name.hasSuffix("_total"), "\(name) is a \(type)")
                    #expect(name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }, "\(name)")
                }
                let counterBases = Set(types.filter { $0.value == "counter" }.keys.map { String($0.dropLast(6)) })
                let gauges = Set(types.filter { $0.value == "gauge" }.keys)
                #expect(counterBases.isDisjoint(with: gauges), "\(counterBases.intersection(gauges))")
                for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                    let name = String(line.prefix { $0 != "{" && $0 != " " })
                    let family =
                        ["_bucket", "_sum", "_count"].first {
                            name.hasSuffix($0) && types[String(name.dropLast($0.count))] == "histogram"
                        }
                        .map { String(name.dropLast($0.count)) } ?? name
                    #expect(types[family] != nil, "a sample without a TYPE: \(line)")
                }

                let now = Date().timeIntervalSince1970
                let resident = try #require(prometheusSample(text, "process_resident_memory_bytes"))
                let virtual = try #require(prometheusSample(text, "process_virtual_memory_bytes"))
                #expect(resident > 1_048_576 && virtual >= resident, "\(resident) \(virtual)")
                let open = try #require(prometheusSample(text, "process_open_fds"))
                let maxOpen = try #require(prometheusSample(text, "process_max_fds"))
                #expect(open >= 3 && open <= maxOpen, "\(open) of \(maxOpen)")
                let cpu = try #require(prometheusSample(text, "process_cpu_seconds_total"))
                #expect(cpu > 0)
                let started = try #require(prometheusSample(text, "process_start_time_seconds"))
                #expect(started <= now + 1 && started > now - 24 * 3600, "\(started) vs now \(now)")
                // The store has one event: its file holds a few pages; LMDB maps the whole map size.
                let storeSize = try #require(prometheusSample(text, "purplepages_store_size_bytes"))
                let mapSize = try #require(prometheusSample(text, "purplepages_store_map_size_bytes"))
                #expect(storeSize >= 4096 && storeSize < mapSize, "\(storeSize) of \(mapSize)")
                #expect(mapSize >= 1_073_741_824, "\(mapSize)")
            }
        }
    }

    /// The process metrics are read at each scrape: a connection opened in between shows up in
    /// `process_open_fds`, and CPU time never goes back.
    @Test func processMetricsAreReadAtEachScrape() async throws {
        try await withTestRelay { _, port async throws in
            let before = try await httpGet("http://127.0.0.1:\(port)/metrics").text
            var sockets: [RawWebSocket] = []
            for _ in 0..<20 { sockets.append(try await RawWebSocket.connect(port: port)) }
            try await waitUntilOpenConnections(20, port: port)
            let after = try await httpGet("http://127.0.0.1:\(port)/metrics").text
            let (openBefore, openAfter) = (
                prometheusSample(before, "process_open_fds") ?? 0, prometheusSample(after, "process_open_fds") ?? 0
            )
            // The test's own 20 sockets and the relay's 20 are in this one process.
            #expect(openAfter >= openBefore + 40, "\(openBefore) -> \(openAfter)")
            #expect(
                prometheusSample(after, "process_cpu_seconds_total")! >= prometheusSample(
                    before, "process_cpu_seconds_total")!)
            for socket in sockets { socket.close() }
            try await waitUntilOpenConnections(0, port: port)
        }
    }
}
