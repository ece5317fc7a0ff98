import Foundation

/// What one crawl benchmark measured, and its report against the issue's goals.
struct CrawlResult: Sendable {
    let plan: CrawlCorpusPlan
    /// From the relay listening (the crawler starts with it) to the crawler counting every event.
    var wall = Duration.zero
    /// The relay's `/metrics` at the end.
    var progress = CrawlProgress()
    /// Whether the crawl stopped making progress before it converged.
    var stalled = false
    /// CPU seconds of the relay during the crawl.
    var relayCPU = 0.0
    /// CPU seconds of this process (the ten remotes and the latency loop) during the crawl.
    var benchCPU = 0.0
    /// The relay's peak resident memory (VmHWM) and own memory (RssAnon) during the crawl, in KiB.
    var peakResidentKiB = 0
    var peakAnonymousKiB = 0
    /// REQ latency during the crawl and on the converged relay.
    var duringCrawl: LatencySummary?
    var idle: LatencySummary?
    /// Events in the crawled store, counted after the relay stopped, and its file size.
    var storedInStore = 0
    var storeBytes = 0
    /// The WebSocket ingest run of the same corpus, its rate (OK true per second) and the relay's peak RSS.
    var ingest: CorpusPublisher.Outcome?
    var ingestRate: Double?
    var ingestPeakResidentKiB: Int?

    /// Distinct events stored per second of the crawl.
    var crawlRate: Double { Double(storedInStore) / max(seconds(wall), 1e-9) }

    /// The summary, with the issue's goals next to the figures.
    func print(goals: Bool) {
        func verdict(_ passed: Bool) -> String { passed ? "met" : "MISSED" }
        let copies = plan.events + plan.events * plan.overlapPercent / 100
        Swift.print("")
        Swift.print(
            "crawl: \(plan.relays) relays, \(plan.events) distinct events (about \(copies) copies, "
                + "\(plan.overlapPercent)% on two relays)")
        Swift.print(
            "  converged: \(stalled ? "NO (stalled)" : "yes"); \(storedInStore) events in the store; wall time "
                + "\(format(wall)); \(Int(crawlRate)) events stored/s")
        Swift.print(
            "  relay CPU \(String(format: "%.1f", relayCPU)) s (\(String(format: "%.0f", 100 * relayCPU / max(seconds(wall), 1e-9)))% "
                + "of one core), remotes and REQ loop CPU \(String(format: "%.1f", benchCPU)) s, on "
                + "\(ProcessInfo.processInfo.activeProcessorCount) cores")
        Swift.print(
            "  relay peak RSS \(peakResidentKiB / 1024) MB (own memory at most \(peakAnonymousKiB / 1024) MB; the rest "
                + "is the store's mapped pages); store \(storeBytes / 1_000_000) MB")
        Swift.print("  crawler: \(progress.line)")
        if let duringCrawl { Swift.print("  REQ during the crawl: \(duringCrawl.line)") }
        if let idle { Swift.print("  REQ idle:             \(idle.line)") }
        if let ingestRate, let ingest {
            Swift.print(
                "  WebSocket ingest of the same corpus: \(Int(ingestRate)) events/s (\(ingest.accepted) OK true in "
                    + "\(format(ingest.elapsed))), relay peak RSS \((ingestPeakResidentKiB ?? 0) / 1024) MB")
        }
        guard goals else { return }
        Swift.print("goals (the issue's, for 10 relays and 1M events; this run: \(plan.relays), \(plan.events)):")
        if let ingestRate {
            let ratio = crawlRate / ingestRate
            Swift.print(
                "  converges at >= 80% of WebSocket ingest: \(Int(crawlRate)) / \(Int(ingestRate)) events/s = "
                    + "\(String(format: "%.0f", 100 * ratio))%: \(verdict(ratio >= 0.8 && !stalled))")
        } else {
            Swift.print("  converges at >= 80% of WebSocket ingest: not measured (--no-ingest)")
        }
        if let duringCrawl, let idle {
            let ratio = duringCrawl.p99 / idle.p99
            Swift.print(
                "  REQ p99 during the crawl within 1.5x of idle: \(String(format: "%.2f", duringCrawl.p99)) / "
                    + "\(String(format: "%.2f", idle.p99)) ms = \(String(format: "%.2f", ratio))x: "
                    + "\(verdict(ratio <= 1.5))")
        }
    }
}
