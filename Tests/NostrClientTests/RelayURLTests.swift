import Testing

@testable import NostrClient

/// What `connect` accepts as a relay URL, and what it makes of it.
@Suite("RelayURL: what connect accepts")
struct RelayURLTests {
    @Test func theSchemeChoosesTLSAndTheDefaultPort() throws {
        let secure = try RelayURL("wss://Relay.Example.com")
        #expect(secure.usesTLS && secure.port == 443 && !secure.hasExplicitPort)
        #expect(secure.host == "relay.example.com" && secure.target == "/" && secure.hostHeader == "relay.example.com")
        let plain = try RelayURL("WS://relay.example.com")
        #expect(!plain.usesTLS && plain.port == 80)
    }

    @Test func portPathQueryAndFragment() throws {
        let url = try RelayURL("  ws://relay.example.com:7777/nostr?x=1#top  ")
        #expect(url.port == 7777 && url.hasExplicitPort && url.hostHeader == "relay.example.com:7777")
        #expect(url.target == "/nostr?x=1")
        #expect(url.text == "ws://relay.example.com:7777/nostr?x=1#top")
        #expect(try RelayURL("ws://relay.example.com?x=1").target == "/?x=1")
    }

    @Test func ipAddresses() throws {
        let v4 = try RelayURL("ws://127.0.0.1:8080")
        #expect(v4.host == "127.0.0.1" && v4.hostIsIPAddress)
        let v6 = try RelayURL("wss://[::1]:8443/")
        #expect(v6.host == "::1" && v6.port == 8443 && v6.hostIsIPAddress && v6.hostHeader == "[::1]:8443")
        #expect(try !RelayURL("wss://relay.example.com").hostIsIPAddress)
        #expect(try !RelayURL("wss://1.2.3.example").hostIsIPAddress)
    }

    @Test(arguments: [
        "", "relay.example.com", "http://relay.example.com", "https://relay.example.com", "ws://", "ws:///path",
        "ws://:80", "ws://relay.example.com:0", "ws://relay.example.com:65536", "ws://relay.example.com:x",
        "ws://user@relay.example.com", "ws://relay example.com", "ws://[::1", "ws://[::1]x",
    ])
    func invalidURLsAreRefused(_ text: String) {
        #expect(throws: RelayClientError.self) { try RelayURL(text) }
    }
}
