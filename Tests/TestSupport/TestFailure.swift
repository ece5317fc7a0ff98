/// A failure of the test machinery itself (a missing binary or database, a timeout, a relay that
/// does not start), saying what was awaited or what to do.
public struct TestFailure: Error, CustomStringConvertible {
    /// What is missing or was awaited, and how to get it.
    public var description: String

    /// A failure described by `description`.
    public init(_ description: String) { self.description = description }
}
