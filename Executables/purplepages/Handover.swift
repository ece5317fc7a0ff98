import CommandLineSupport
import Foundation

/// Replaces this process with a sibling executable: the one of that name in the directory of this
/// executable's real path (`/proc/self/exe`, so a `purplepages` found through `$PATH` or a
/// symlink finds its siblings too), for the runbook's `purplepages --import` and
/// `purplepages analytics`.
enum Handover {
    static func exec(_ tool: String, _ arguments: [String]) throws -> Never {
        let path = ExecutablePath.sibling(named: tool)
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
