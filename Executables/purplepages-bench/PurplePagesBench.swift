import ArgumentParser

/// `purplepages-bench`: the project's benchmarks, one subcommand per issue's performance goal.
@main
struct PurplePagesBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purplepages-bench",
        abstract: "PurplePages benchmarks. Each mode prints its figures; nothing here asserts timings.",
        subcommands: [
            ParseBenchmarkCommand.self, StoreBenchmarkCommand.self, RelayBenchmarkCommand.self, FixtureCommand.self,
            AnalyticsBenchmarkCommand.self, SyncBenchmarkCommand.self,
            DirectoryBenchmarkCommand.self, CrawlBenchmarkCommand.self,
        ]
    )
}
