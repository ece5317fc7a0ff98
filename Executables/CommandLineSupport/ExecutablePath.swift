import Foundation

/// Where the running executable is, for finding the executables installed beside it.
public enum ExecutablePath {
    /// The running executable's real path: `/proc/self/exe` resolved (symlinks and `$PATH`
    /// lookups included), else the absolute form of `argv[0]`.
    public static var current: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if length > 0 {
            return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
    }

    /// The path of the executable `name` in the running executable's directory.
    public static func sibling(named name: String) -> String {
        URL(fileURLWithPath: current).deletingLastPathComponent().appendingPathComponent(name).path
    }
}
