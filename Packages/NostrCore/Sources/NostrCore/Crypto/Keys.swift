import CSecp256k1

/// A secp256k1 secret key. Its description never shows the key.
public struct SecretKey: Sendable, Hashable, CustomStringConvertible {
    /// The 32 key bytes.
    public let raw: Bytes32

    /// Wraps 32 bytes; `nil` unless they are a valid secret key (non-zero, below the group order).
    public init?(_ raw: Bytes32) {
        let valid = raw.withUnsafeBytes {
            secp256k1_ec_seckey_verify(Secp256k1Context.shared.pointer, $0.bindMemory(to: UInt8.self).baseAddress!)
        }
        guard valid == 1 else { return nil }
        self.raw = raw
    }

    /// Decodes 64 lowercase hex characters; `nil` unless they are a valid secret key.
    public init?(hex: some StringProtocol) {
        guard let raw = Bytes32(hex: hex) else { return nil }
        self.init(raw)
    }

    /// A fresh key from the system's secure random source.
    public static func generate() -> SecretKey {
        while true {
            if let key = SecretKey(SecureRandom.bytes32()) { return key }
        }
    }

    /// The x-only public key.
    public var publicKey: PublicKey {
        var pair = keypair()
        var xonly = secp256k1_xonly_pubkey()
        var output = [UInt8](repeating: 0, count: 32)
        let context = Secp256k1Context.shared.pointer
        guard secp256k1_keypair_xonly_pub(context, &xonly, nil, &pair) == 1,
            secp256k1_xonly_pubkey_serialize(context, &output, &xonly) == 1
        else { preconditionFailure("libsecp256k1 rejected a verified secret key") }
        return PublicKey(Bytes32(output)!)
    }

    /// The lowercase hex of the key; handle with care.
    public var hex: String { raw.hex }

    public var description: String { "SecretKey(<redacted>)" }

    func keypair() -> secp256k1_keypair {
        var pair = secp256k1_keypair()
        let ok = raw.withUnsafeBytes {
            secp256k1_keypair_create(Secp256k1Context.shared.pointer, &pair, $0.bindMemory(to: UInt8.self).baseAddress!)
        }
        precondition(ok == 1, "libsecp256k1 rejected a verified secret key")
        return pair
    }
}

/// A secret key with its public key: what signs events.
public struct KeyPair: Sendable, Hashable {
    /// The secret half.
    public let secretKey: SecretKey
    /// The public half, the author of what this key pair signs.
    public let publicKey: PublicKey

    /// The key pair of `secretKey`.
    public init(secretKey: SecretKey) {
        self.secretKey = secretKey
        self.publicKey = secretKey.publicKey
    }

    /// A fresh random key pair.
    public static func generate() -> KeyPair { KeyPair(secretKey: .generate()) }

    /// Builds, hashes and signs an event. `auxiliaryRandom` defaults to fresh randomness; pass a
    /// fixed value for reproducible fixtures.
    public func sign(
        kind: Kind, tags: Tags = Tags(), content: String, createdAt: Int64, auxiliaryRandom: Bytes32? = nil
    ) -> Event {
        let id = Event.computeID(pubkey: publicKey, createdAt: createdAt, kind: kind, tags: tags, content: content)
        let sig = Schnorr.sign(id.raw, with: secretKey, auxiliaryRandom: auxiliaryRandom)
        return Event(
            id: id, pubkey: publicKey, createdAt: createdAt, kind: kind, tags: tags, content: content, sig: sig)
    }

    /// Builds, hashes and signs an event whose tags are given as arrays of strings.
    public func sign(
        kind: Kind, tags: [[String]], content: String, createdAt: Int64, auxiliaryRandom: Bytes32? = nil
    ) -> Event {
        sign(kind: kind, tags: Tags(tags), content: content, createdAt: createdAt, auxiliaryRandom: auxiliaryRandom)
    }
}

/// The system's cryptographically secure random source.
enum SecureRandom {
    static func bytes32() -> Bytes32 {
        var generator = SystemRandomNumberGenerator()
        return Bytes32(w0: generator.next(), w1: generator.next(), w2: generator.next(), w3: generator.next())
    }
}
