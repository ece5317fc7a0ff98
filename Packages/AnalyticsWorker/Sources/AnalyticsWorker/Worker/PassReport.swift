/// What one analytics pass did: how long loading and each job took, and what failed.
public struct PassReport: Sendable {
    /// Loading the follow graph, in seconds.
    public var loadSeconds = 0.0
    /// Graph sizes from loading.
    public var graph = FollowGraph.Statistics()
    /// Each job that ran, in order.
    public var jobs: [JobReport] = []
    /// Whether a stop request cut the pass short (the jobs that ran are complete).
    public var stopped = false
    /// The whole pass, in seconds.
    public var totalSeconds = 0.0

    /// Whether every job that ran succeeded.
    public var succeeded: Bool { jobs.allSatisfy { $0.error == nil } }
}

/// One job of a pass.
public struct JobReport: Sendable {
    /// The job's name (`trust`, `communities`, ...).
    public var name: String
    /// Its sizes and figures, `key=value` separated by spaces.
    public var details: String
    /// Computing, in seconds.
    public var computeSeconds: Double
    /// Replacing its tables, in seconds.
    public var writeSeconds: Double
    /// Rows written.
    public var rows: Int
    /// Why it failed; nil when it succeeded (its previous results are then left in place).
    public var error: String?
}
