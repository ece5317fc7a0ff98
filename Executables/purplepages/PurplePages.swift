// purplepages: the relay. Argument parsing and wiring only; the process is RelayServices's.
import ArgumentParser
import CommandLineSupport

@main
struct PurplePages: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purplepages",
        abstract: "A Nostr relay for profiles, follow lists, relay lists and NIP-51 lists.",
        discussion: """
            Without a subcommand, serves the relay (`purplepages [--config FILE] [--port N]`). \
            `purplepages sync URL` reconciles the store with another relay (NIP-77); `purplepages crawl --once` \
            runs one pass of the network crawler. \
            `purplepages --import FILE`, `purplepages import ...` and `purplepages analytics ...` hand over \
            to purplepages-import and purplepages-analytics, installed in the same directory, with every \
            option given. Exit status: 0 ok, 1 failure, 2 usage or configuration error.
            """,
        version: PurplePagesVersion.description,
        subcommands: [
            ServeCommand.self, SyncCommand.self, CrawlCommand.self, CompactCommand.self, AnalyticsHandover.self,
            ImportHandover.self,
        ],
        defaultSubcommand: ServeCommand.self
    )

    /// Options may come before the subcommand too (`purplepages --config F compact`).
    static func main() async {
        await runAsMain(
            arguments: SubcommandArguments.reordered(
                Array(CommandLine.arguments.dropFirst()),
                subcommands: Set(configuration.subcommands.compactMap { $0.configuration.commandName }),
                optionsWithValues: [
                    "--config", "--port", "--analytics-db-url", "--log-level", "--import", "--output", "--filter",
                    "--kinds", "-k", "--dir", "-d", "--timeout", "--auth-key-file", "--relay",
                ]))
    }
}
