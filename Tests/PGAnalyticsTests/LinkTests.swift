import PGAnalytics
import Testing

@Suite("libpq")
struct LinkTests {
    @Test func libpqIsLinked() { #expect(libpqVersion >= 100_000) }
}
