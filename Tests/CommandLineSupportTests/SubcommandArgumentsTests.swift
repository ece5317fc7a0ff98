import CommandLineSupport
import Testing

@Suite("Options before a subcommand's name")
struct SubcommandArgumentsTests {
    private func reordered(_ arguments: [String]) -> [String] {
        SubcommandArguments.reordered(
            arguments, subcommands: ["analytics", "compact"], optionsWithValues: ["--config", "--port"])
    }

    @Test func optionsBeforeTheNameMoveAfterIt() {
        #expect(
            reordered(["--config", "c.json", "analytics", "--once"]) == ["analytics", "--config", "c.json", "--once"])
        #expect(reordered(["--config=c.json", "--verbose", "compact"]) == ["compact", "--config=c.json", "--verbose"])
    }

    @Test func anythingElseIsLeftAsItIs() {
        #expect(reordered(["analytics", "--config", "c.json"]) == ["analytics", "--config", "c.json"])
        #expect(reordered(["--config", "c.json", "--port", "4444"]) == ["--config", "c.json", "--port", "4444"])
        // An option's value that happens to be a subcommand's name stays a value.
        #expect(reordered(["--config", "analytics"]) == ["--config", "analytics"])
        // A word that is no subcommand ends the search.
        #expect(reordered(["--port", "1", "file", "compact"]) == ["--port", "1", "file", "compact"])
        #expect(reordered(["--", "analytics"]) == ["--", "analytics"])
        #expect(reordered([]) == [])
    }
}
