import CSecp256k1

/// The one libsecp256k1 context the process shares.
///
/// A context is safe to use from any thread once created and randomised; we never mutate it after
/// `init`, which is what makes the `@unchecked Sendable` sound.
final class Secp256k1Context: @unchecked Sendable {
    static let shared = Secp256k1Context()

    let pointer: OpaquePointer

    private init() {
        guard let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
            fatalError("libsecp256k1 could not create a context")
        }
        var seed = SecureRandom.bytes32()
        _ = withUnsafeBytes(of: &seed) { secp256k1_context_randomize(context, $0.baseAddress) }
        pointer = context
    }
}

/// BIP-340 Schnorr signatures over secp256k1, through libsecp256k1.
public enum Schnorr {
    /// Whether `signature` is `publicKey`'s signature of the 32-byte `digest`. With a `keyCache`,
    /// a key seen before skips being lifted onto the curve again.
    public static func verify(
        _ signature: Signature, of digest: Bytes32, by publicKey: PublicKey, keyCache: PublicKeyCache? = nil
    ) -> Bool {
        let key = keyCache.map { $0.lifted(publicKey) } ?? XOnlyKey(publicKey)
        guard let key else { return false }
        return digest.withUnsafeBytes { verify(signature, message: $0, by: key) }
    }

    /// Whether `signature` is `publicKey`'s signature of `message` (any length, as BIP-340 allows).
    public static func verify(_ signature: Signature, message: UnsafeRawBufferPointer, by publicKey: PublicKey) -> Bool
    {
        guard let key = XOnlyKey(publicKey) else { return false }
        return verify(signature, message: message, by: key)
    }

    static func verify(_ signature: Signature, message: UnsafeRawBufferPointer, by key: XOnlyKey) -> Bool {
        var xonly = key.value
        return signature.withUnsafeBytes { sig in
            let sigPointer = sig.bindMemory(to: UInt8.self).baseAddress!
            let messagePointer = message.baseAddress?.assumingMemoryBound(to: UInt8.self)
            return secp256k1_schnorrsig_verify(
                Secp256k1Context.shared.pointer, sigPointer, messagePointer, message.count, &xonly) == 1
        }
    }

    /// Signs the 32-byte `digest` with `secretKey`. `auxiliaryRandom` should be fresh randomness
    /// (the default); a fixed value makes the signature deterministic, for tests and fixtures.
    public static func sign(_ digest: Bytes32, with secretKey: SecretKey, auxiliaryRandom: Bytes32? = nil) -> Signature
    {
        digest.withUnsafeBytes { sign(message: $0, with: secretKey, auxiliaryRandom: auxiliaryRandom) }
    }

    /// Signs a message of any length (BIP-340 with variable-length messages).
    public static func sign(
        message: UnsafeRawBufferPointer, with secretKey: SecretKey, auxiliaryRandom: Bytes32? = nil
    ) -> Signature {
        let context = Secp256k1Context.shared.pointer
        var keypair = secretKey.keypair()
        var output = [UInt8](repeating: 0, count: 64)
        let aux = auxiliaryRandom ?? SecureRandom.bytes32()
        let ok = aux.withUnsafeBytes { auxBytes -> Int32 in
            // SECP256K1_SCHNORRSIG_EXTRAPARAMS_INIT is a macro Swift cannot import; its magic bytes are fixed.
            var extra = secp256k1_schnorrsig_extraparams()
            extra.magic = (0xDA, 0x6F, 0xB3, 0x8C)
            extra.noncefp = nil
            extra.ndata = UnsafeMutableRawPointer(mutating: auxBytes.baseAddress)
            let messagePointer = message.baseAddress?.assumingMemoryBound(to: UInt8.self)
            return secp256k1_schnorrsig_sign_custom(
                context, &output, messagePointer, message.count, &keypair, &extra)
        }
        precondition(ok == 1, "libsecp256k1 failed to sign with a valid key")
        return Signature(output)!
    }
}
