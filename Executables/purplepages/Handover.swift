import Foundation

/// Replaces this process with a sibling executable (same directory), for the runbook's
/// `purplepages --import` and `purplepages analytics`.
enum Handover {
    static func exec(_ tool: String, _ arguments: [String]) throws -> Never {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
        let path = directory + "/" + tool
        guard FileManager.default.isExecutableFile(atPath: path) else {
            FileHandle.standardError.write(
                Data("purplepages: \(tool) is not installed next to purplepages (\(path))\n".utf8))
            exit(1)
        }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        execv(path, argv)
        FileHandle.standardError.write(
            Data("purplepages: could not start \(path): \(String(cString: strerror(errno)))\n".utf8))
        exit(1)
    }
}
