/// Turns the sink's running count of dropped keys into one log line when dropping starts and one
/// when a whole interval passed without drops.
struct DropWatch {
    let limit: Int
    private var seen = 0
    private var episodeStart: Int?

    init(limit: Int) { self.limit = limit }

    mutating func check(droppedKeys: Int) -> String? {
        defer { seen = droppedKeys }
        if droppedKeys > seen {
            guard episodeStart == nil else { return nil }
            episodeStart = seen
            return "analytics: dropping new keys past \(limit) until the next flush"
        }
        guard let start = episodeStart else { return nil }
        episodeStart = nil
        return "analytics: no longer dropping keys (\(droppedKeys - start) dropped)"
    }
}
