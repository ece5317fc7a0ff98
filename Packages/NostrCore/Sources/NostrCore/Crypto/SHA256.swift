import Crypto

extension Bytes32 {
    /// The SHA-256 digest of `bytes` (swift-crypto; hardware-accelerated where the CPU allows).
    public static func sha256(of bytes: UnsafeRawBufferPointer) -> Bytes32 {
        var hasher = SHA256()
        hasher.update(bufferPointer: bytes)
        return hasher.finalize().withUnsafeBytes { Bytes32(loadingFrom: $0.baseAddress!) }
    }
}
