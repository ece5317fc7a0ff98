// purplepages-import: bulk import into the event store, and export out of it. Argument parsing
// and wiring only; the work is in EventTransfer (LMDBStore package).
import ArgumentParser
import CommandLineSupport

@main
struct PurplePagesImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purplepages-import",
        abstract:
            "Import events into the PurplePages store (JSONL, gzip, PostgreSQL COPY text, a legacy database), or export them.",
        discussion: """
            Exit status: 0 when the import ran (bad lines are counted, not fatal, unless --strict), 1 for an \
            I/O or store failure (or the first bad line with --strict), 2 for a usage or configuration error, \
            130 when interrupted (every committed batch is kept; running the import again finishes it).
            """,
        version: PurplePagesVersion.description,
        subcommands: [ImportCommand.self, ExportCommand.self],
        defaultSubcommand: ImportCommand.self
    )

    static func main() { runAsMain() }
}
