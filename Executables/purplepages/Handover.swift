import CommandLineSupport
import Foundation

/// Replaces this process with a sibling executable (same directory), for the runbook's
/// `purplepages --import` and `purplepages analytics`.
enum Handover {
    static func exec(_ tool: String, _ arguments: [String]) throws -> Never {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
        let path = directory + "/" + tool
        guard FileManager.default.isExecutableFile(atPath: path) else {
            standardError("purplepages: \(tool) is not installed next to purplepages (\(path))\n")
            exit(1)
        }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        execv(path, argv)
        standardError("purplepages: could not start \(path): \(String(cString: strerror(errno)))\n")
        exit(1)
    }
}
