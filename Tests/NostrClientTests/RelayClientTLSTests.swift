import NIOSSL
import NostrClient
import PurplePagesTestSupport
import Testing

/// `wss://` against a server whose certificate is made for the test (`openssl` on the PATH): the
/// client's TLS with a custom trust root, and the default one refusing what it does not trust.
@Suite("RelayClient: wss://")
struct RelayClientTLSTests {
    /// A self-signed certificate for localhost and 127.0.0.1, with its key, made now.
    struct TestCertificate {
        let certificate: NIOSSLCertificate
        let key: NIOSSLPrivateKey
        let directory: TemporaryDirectory

        init() async throws {
            directory = try TemporaryDirectory(prefix: "nostr-client-tls")
            let (certificatePath, keyPath) = (directory.path + "/cert.pem", directory.path + "/key.pem")
            let result = try await ExternalCommand.onPath("openssl").run([
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", keyPath, "-out", certificatePath, "-days", "1", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            ])
            guard result.status == 0 else { throw TestFailure("openssl failed: \(result.errors)") }
            guard let certificate = try NIOSSLCertificate.fromPEMFile(certificatePath).first else {
                throw TestFailure("openssl wrote no certificate")
            }
            self.certificate = certificate
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        }

        var server: TestServerOptions {
            TestServerOptions(
                tls: .makeServerConfiguration(
                    certificateChain: [.certificate(certificate)], privateKey: .privateKey(key)))
        }

        var trustingClient: TLSConfiguration {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates([certificate])
            return tls
        }
    }

    @Test(arguments: ["localhost", "127.0.0.1"])
    func aTrustedCertificateConnects(host: String) async throws {
        let certificate = try await TestCertificate()
        try await withWebSocketServer(
            certificate.server,
            script: { connection in
                try await connection.send(#"["NOTICE","over tls"]"#)
                try await connection.stayOpen()
            }
        ) { port in
            try await withRelayClient(
                port: port, scheme: "wss", host: host,
                configure: {
                    $0.tlsConfiguration = certificate.trustingClient
                }
            ) { client async throws in
                #expect(try await client.receive(timeout: patience) == .notice("over tls"))
                try await client.send(.close(subscriptionID: "x"))
                #expect(client.statistics.messagesSent == 1)
            }
        }
    }

    @Test func anUntrustedCertificateIsAConnectionFailure() async throws {
        let certificate = try await TestCertificate()
        try await withWebSocketServer(certificate.server, script: { try await $0.stayOpen() }) { port in
            await #expect {
                // The system's trust roots: a self-signed certificate is refused.
                try await RelayClient.connect(to: "wss://localhost:\(port)")
            } throws: { error in
                guard case .connectionFailed(let text) = error as? RelayClientError else { return false }
                return text.lowercased().contains("certificate")
            }
        }
    }
}
