import Testing

@testable import NostrClient

@Suite("RelayURL: what connect accepts")
struct RelayURLTests {
    @Test func placeholder() throws {
        let url = try RelayURL("wss://Relay.Example.com/path?x=1")
        #expect(url.host == "relay.example.com")
    }
}
