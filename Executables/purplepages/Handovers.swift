import ArgumentParser

/// `purplepages analytics ...`: runs purplepages-analytics with every argument that follows.
struct AnalyticsHandover: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analytics",
        abstract: "Hand over to purplepages-analytics with these arguments (e.g. --once; --help shows its options).")

    @Argument(parsing: .captureForPassthrough, help: "purplepages-analytics's arguments.")
    var arguments: [String] = []

    func run() throws { try Handover.exec("purplepages-analytics", arguments) }
}

/// `purplepages import ...`: runs purplepages-import with every argument that follows.
struct ImportHandover: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Hand over to purplepages-import with these arguments (files, export; --help shows its options).")

    @Argument(parsing: .captureForPassthrough, help: "purplepages-import's arguments.")
    var arguments: [String] = []

    func run() throws { try Handover.exec("purplepages-import", arguments) }
}
