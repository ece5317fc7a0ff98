extension AnalyticsWorker {
    /// Runs a pass every `intervalSeconds` (measured start to start) until `stop`. A pass that
    /// fails outright (database or store unavailable) is retried after `retrySeconds` or the
    /// interval, whichever is shorter.
    public func runForever(intervalSeconds: Double, retrySeconds: Double = 60, stop: StopSignal) {
        while !stop.isStopped {
            let start = ContinuousClock.now
            var wait = intervalSeconds
            do {
                _ = try runPass(stop: stop)
            } catch {
                wait = min(intervalSeconds, retrySeconds)
                logger.error("pass failed: \(error); next attempt in \(Int(wait)) s")
            }
            if stop.sleep(seconds: max(0, wait - start.secondsSince)) { break }
        }
        logger.info("stopped")
    }

    /// Seconds in a duration written as `90s`, `15m`, `1h`, `1d` or a bare number of minutes;
    /// nil for anything else or for zero.
    public static func parseInterval(_ text: String) -> Double? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
        var number = Substring(text)
        var unit = 60.0
        if let last = text.last, let seconds = units[last] {
            unit = seconds
            number = number.dropLast()
        }
        guard let value = Double(number), value.isFinite, value > 0 else { return nil }
        return value * unit
    }
}
