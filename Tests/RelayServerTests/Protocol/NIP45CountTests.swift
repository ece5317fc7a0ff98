import Foundation
import NostrCore
import PurplePagesTestSupport
import Testing

/// COUNT end to end (NIP-45): exact follower counts from the newest follow lists.
@Suite("NIP-45 COUNT over WebSockets")
struct NIP45CountTests {
    @Test func countOfFollowersIsExact() async throws {
        try await withTestRelay { _, port async throws in
            try await withClient(port: port) { client async throws in
                let celebrity = KeyPair.generate().publicKey.hex
                let bystander = KeyPair.generate().publicKey.hex
                let now = unixNow
                for index in 0..<7 {
                    let follower = KeyPair.generate()
                    let tags = [["p", bystander], ["p", celebrity], ["p", KeyPair.generate().publicKey.hex]]
                    #expect(
                        try await client.publish(follower.event(.followList, tags: tags, at: now - Int64(index)))
                            .accepted)
                }
                for _ in 0..<3 {
                    #expect(
                        try await client.publish(KeyPair.generate().event(.followList, tags: [["p", bystander]]))
                            .accepted)
                }
                // Stopped following: the newer list without the celebrity replaces the older one.
                let unfollower = KeyPair.generate()
                #expect(
                    try await client.publish(unfollower.event(.followList, tags: [["p", celebrity]], at: now - 30))
                        .accepted)
                #expect(
                    try await client.publish(unfollower.event(.followList, tags: [["p", bystander]], at: now - 20))
                        .accepted)
                // An outdated list naming the celebrity arriving late changes nothing.
                let late = KeyPair.generate()
                #expect(
                    try await client.publish(late.event(.followList, tags: [["p", bystander]], at: now - 20)).accepted)
                #expect(
                    try await client.publish(late.event(.followList, tags: [["p", celebrity]], at: now - 30)).accepted)
                // A profile that mentions the celebrity is not a follow.
                #expect(
                    try await client.publish(KeyPair.generate().event(.metadata, tags: [["p", celebrity]])).accepted)

                #expect(
                    try await client.count("followers", rawFilters: [##"{"kinds":[3],"#p":["\##(celebrity)"]}"##]) == 7)
                #expect(
                    try await client.count("bystander", rawFilters: [##"{"kinds":[3],"#p":["\##(bystander)"]}"##]) == 12
                )
                #expect(
                    try await client.count(
                        "nobody", rawFilters: [##"{"kinds":[3],"#p":["\##(String(repeating: "0", count: 64))"]}"##])
                        == 0)
                // The reply has NIP-45's shape.
                try await client.send(##"["COUNT","shape",{"kinds":[3],"#p":["\##(celebrity)"]}]"##)
                let reply = try await client.take("COUNT shape") { $0.type == "COUNT" }
                #expect(reply.json.arrayValue?.count == 3)
                #expect(reply[2]?["count"]?.int64Value == 7)
                #expect(reply[2]?["approximate"] == nil || reply[2]?["approximate"] == .bool(false))
            }
        }
    }
}
