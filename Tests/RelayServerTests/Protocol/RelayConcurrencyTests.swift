import Foundation
import NostrCore
import PurplePagesTestSupport
import Testing

/// Many clients publishing and querying one relay at once.
@Suite("Concurrent clients")
struct RelayConcurrencyTests {
    @Test func fiftyClientsPublishAndQueryAtOnce() async throws {
        let clientCount = 50
        let eventsPerClient = 10
        try await withTestRelay(configure: { config in
            // This test is about concurrency, not the per-IP rate limits (every client is 127.0.0.1).
            config.limits.eventRate = 0
            config.limits.reqRate = 0
            config.limits.connectionRate = 0
        }) { _, port async throws in
            let now = unixNow
            // Everyone connects first, then all publish and query at once.
            let results = try await withClients(port: port, count: clientCount) { clients async throws in
                try await withThrowingTaskGroup(of: (refused: [String], servedRight: Bool).self) { group in
                    for client in clients {
                        group.addTask {
                            let author = KeyPair.generate()
                            // Alternating kinds, shuffled times: some versions arrive after newer ones.
                            var events: [Event] = []
                            for index in 0..<eventsPerClient {
                                let kind: Kind = index % 2 == 0 ? .metadata : .followList
                                let tags: [[String]] = index % 2 == 0 ? [] : [["p", KeyPair.generate().publicKey.hex]]
                                let createdAt = now - 1000 + Int64(index)
                                events.append(author.event(kind, tags: tags, content: "\(index)", at: createdAt))
                            }
                            var refused: [String] = []
                            for event in events.shuffled() {
                                let ok = try await client.publish(event, timeout: .seconds(15))
                                if !ok.accepted { refused.append(ok.message) }
                            }
                            let newest = Set([events[eventsPerClient - 2], events[eventsPerClient - 1]])
                            let served = try await client.request(
                                "mine", [Filter(authors: [author.publicKey])], timeout: .seconds(15))
                            return (refused, Set(served) == newest && served.count == 2)
                        }
                    }
                    var all: [(refused: [String], servedRight: Bool)] = []
                    for try await result in group { all.append(result) }
                    return all
                }
            }
            #expect(results.count == clientCount)
            #expect(results.flatMap(\.refused).isEmpty, "\(results.flatMap(\.refused).prefix(5))")
            #expect(
                results.filter { !$0.servedRight }.isEmpty,
                "clients served something other than their two newest events")
            try await withClient(port: port) { client async throws in
                #expect(try await client.count("all", [Filter(kinds: [.metadata, .followList])]) == clientCount * 2)
                #expect(try await client.count("profiles", [Filter(kinds: [.metadata])]) == clientCount)
            }
        }
    }
}
