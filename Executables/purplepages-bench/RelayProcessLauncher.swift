import Foundation

/// Starts a `purplepages` process with a configuration written from `object` and waits until it
/// listens (at most 60 s): for the benchmarks that measure the relay as deployed.
enum RelayProcessLauncher {
    /// The running process and the port it listens on; throws with the log's tail if it exits first.
    static func launch(
        executable: String, configuration: String, object: [String: Any], log: String, storePath: String
    ) async throws -> (process: ChildProcess, port: Substring) {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: configuration))
        let process = try ChildProcess(executable: executable, arguments: ["--config", configuration], log: log)
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if process.hasExited {
                throw RelayBenchmarkError(
                    description: "the relay exited (\(process.exitDescription)); its log:\n\(text.suffix(2000))")
            }
            // "purplepages listening on 127.0.0.1:PORT, store ..."
            if let range = text.range(of: "listening on 127.0.0.1:") {
                let port = text[range.upperBound...].prefix { $0.isNumber }
                print("relay: purplepages, pid \(process.pid), port \(port), store \(storePath), log \(log)")
                fflush(nil)
                return (process, port)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.stop()
        throw RelayBenchmarkError(description: "the relay did not listen within 60 s (log: \(log))")
    }
}
