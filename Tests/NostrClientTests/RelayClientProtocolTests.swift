import NostrClient
import NostrCore
import PurplePagesTestSupport
import Testing

/// The client against our relay, in process, over loopback: every NIP-01 exchange and its extensions.
@Suite("RelayClient: talking to our relay")
struct RelayClientProtocolTests {
    @Test func theGreetingChallengeIsDelivered() async throws {
        try await withTestRelay { _, port async throws in
            try await withRelayClient(port: port) { client async throws in
                guard case .auth(let challenge) = try await client.receive(timeout: patience) else {
                    Issue.record("the first message is not AUTH")
                    return
                }
                #expect(challenge.count >= 16)
                #expect(client.url == "ws://127.0.0.1:\(port)")
                #expect(client.closeReason == nil)
            }
        }
    }

    @Test func publishingAnEventIsAnsweredWithOK() async throws {
        try await withTestRelay { _, port async throws in
            try await withRelayClient(port: port) { client async throws in
                let event = KeyPair.generate().event(.metadata, content: #"{"name":"alice"}"#)
                let ok = try await client.publish(event)
                #expect(ok.accepted, "\(ok.message)")
                let again = try await client.publish(event)
                #expect(again.message.hasPrefix("duplicate:"), "\(again.message)")
            }
        }
    }

    @Test func aRequestGetsCheckedEventsThenEndOfStoredEvents() async throws {
        try await withTestRelay { _, port async throws in
            try await withRelayClient(port: port) { client async throws in
                let author = KeyPair.generate()
                let events = (0..<5).map {
                    author.event(.followList, tags: [["p", KeyPair.generate().publicKey.hex]], at: unixNow - Int64($0))
                }
                for event in events { _ = try await client.publish(event) }
                let profile = author.event(.metadata, content: "{}")
                #expect(try await client.publish(profile).accepted)

                try await client.send(.request(subscriptionID: "mine", filters: [Filter(authors: [author.publicKey])]))
                let responses = try await client.responses {
                    if case .endOfStoredEvents(let id) = $0 { return id == "mine" }
                    return false
                }
                let received = responses.compactMap { response -> Event? in
                    if case .event("mine", let event) = response { return event }
                    return nil
                }
                // A follow list is replaceable: only the newest is kept.
                #expect(Set(received) == [events[0], profile])
                #expect(client.statistics.invalidEvents == 0)
            }
        }
    }

    @Test func countIsAnswered() async throws {
        try await withTestRelay { _, port async throws in
            try await withRelayClient(port: port) { client async throws in
                let authors = (0..<3).map { _ in KeyPair.generate() }
                for author in authors {
                    #expect(try await client.publish(author.event(.metadata, content: "{}")).accepted)
                }
                try await client.send(.count(subscriptionID: "n", filters: [Filter(authors: authors.map(\.publicKey))]))
                let count = try await client.first {
                    if case .count = $0 { return true }
                    return false
                }
                #expect(count == .count(subscriptionID: "n", count: 3, approximate: false))
            }
        }
    }

    @Test func closingASubscriptionStopsItsLiveEvents() async throws {
        try await withTestRelay { _, port async throws in
            try await withRelayClient(port: port) { client async throws in
                let author = KeyPair.generate()
                try await client.send(.request(subscriptionID: "live", filters: [Filter(authors: [author.publicKey])]))
                _ = try await client.first { $0 == .endOfStoredEvents(subscriptionID: "live") }
                let first = author.event(.metadata, content: #"{"v":1}"#, at: unixNow - 10)
                try await client.send(.event(first))
                _ = try await client.first { $0 == .event(subscriptionID: "live", event: first) }

                try await client.send(.close(subscriptionID: "live"))
                let second = author.event(.metadata, content: #"{"v":2}"#)
                try await client.send(.event(second))
                var afterClose = try await client.responses {
                    $0 == .ok(eventID: second.id, accepted: true, message: "")
                }
                // Stored by now: a request finds it, and anything the publication set off came before its EOSE.
                try await client.send(.request(subscriptionID: "probe", filters: [Filter(ids: [second.id])]))
                afterClose += try await client.responses { $0 == .endOfStoredEvents(subscriptionID: "probe") }
                #expect(afterClose.contains(.event(subscriptionID: "probe", event: second)))
                #expect(!afterClose.contains(.event(subscriptionID: "live", event: second)))
            }
        }
    }

    @Test func negentropyMessagesGoBothWaysAsBytes() async throws {
        try await withTestRelay { _, port async throws in
            try await withRelayClient(port: port) { client async throws in
                let authors = (0..<3).map { _ in KeyPair.generate() }
                let profiles = authors.map { $0.event(.metadata, content: "{}") }
                for profile in profiles { #expect(try await client.publish(profile).accepted) }
                let filter = Filter(authors: authors.map(\.publicKey))
                var initiator = try NegentropyInitiator(storage: NegentropyStorage([]))
                var message = try initiator.initiate()
                try await client.send(.negentropyOpen(subscriptionID: "neg", filter: filter, message: message))
                var need: [EventID] = []
                var have: [EventID] = []
                while true {
                    let reply = try await client.first {
                        if case .negentropyMessage("neg", _) = $0 { return true }
                        if case .negentropyError("neg", _) = $0 { return true }
                        return false
                    }
                    guard case .negentropyMessage(_, let bytes) = reply else {
                        Issue.record("the relay answered \(reply)")
                        return
                    }
                    guard let next = try initiator.reconcile(bytes, haveIDs: &have, needIDs: &need) else { break }
                    message = next
                    try await client.send(.negentropyMessage(subscriptionID: "neg", message: message))
                }
                #expect(Set(need) == Set(profiles.map(\.id)) && have.isEmpty)
                try await client.send(.negentropyClose(subscriptionID: "neg"))
                // A message for a closed session is refused with NEG-ERR.
                try await client.send(.negentropyMessage(subscriptionID: "neg", message: message))
                let refusal = try await client.first {
                    if case .negentropyError("neg", _) = $0 { return true }
                    return false
                }
                guard case .negentropyError(_, let text) = refusal else { return }
                #expect(!text.isEmpty)
            }
        }
    }

    @Test func compressionIsNegotiatedWhenOfferedAndShrinksWhatIsSent() async throws {
        try await withTestRelay { _, port async throws in
            let content = String(repeating: "a compressible profile ", count: 2000)
            let compressed = try await withRelayClient(port: port) { client async throws in
                #expect(client.isCompressed)
                #expect(try await client.publish(KeyPair.generate().event(.metadata, content: content)).accepted)
                return client.statistics
            }
            let plain = try await withRelayClient(port: port, configure: { $0.compression = false }) {
                client async throws in
                #expect(!client.isCompressed)
                #expect(try await client.publish(KeyPair.generate().event(.metadata, content: content)).accepted)
                return client.statistics
            }
            #expect(plain.bytesSent > content.utf8.count)
            #expect(compressed.bytesSent * 4 < plain.bytesSent)
            #expect(compressed.messagesSent == 1 && plain.messagesSent == 1)
            #expect(compressed.messagesReceived >= 2 && plain.messagesReceived >= 2)  // AUTH greeting, OK
        }
    }
}
