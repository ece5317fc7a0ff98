import Logging

/// Turns the sink's running count of dropped keys into one log record when dropping starts (a
/// warning) and one when a whole interval passed without drops.
struct DropWatch {
    let limit: Int
    private var seen = 0
    private var episodeStart: Int?

    init(limit: Int) { self.limit = limit }

    mutating func check(droppedKeys: Int) -> (level: Logger.Level, message: String)? {
        defer { seen = droppedKeys }
        if droppedKeys > seen {
            guard episodeStart == nil else { return nil }
            episodeStart = seen
            return (.warning, "analytics: dropping new keys past \(limit) until the next flush")
        }
        guard let start = episodeStart else { return nil }
        episodeStart = nil
        return (.notice, "analytics: no longer dropping keys (\(droppedKeys - start) dropped)")
    }
}
