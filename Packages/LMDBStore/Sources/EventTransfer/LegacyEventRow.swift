import NostrCore

/// A row of the legacy eventstore `event` table (id, pubkey, created_at, kind, tags jsonb,
/// content, sig) rendered as the event's JSON, ready for the importer (which checks its id and
/// signature like any other line).
public enum LegacyEventRow {
    /// The event JSON of one row; `tagsJSON` is the `tags` column as text (`tags::text`).
    public static func json(
        id: String, pubkey: String, createdAt: Int64, kind: Int64, tagsJSON: String, content: String, sig: String
    ) -> [UInt8] {
        var json: [UInt8] = []
        json.reserveCapacity(content.utf8.count + tagsJSON.utf8.count + 256)
        json.append(contentsOf: #"{"id":"#.utf8)
        JSONWriter.appendString(id, to: &json)
        json.append(contentsOf: #","pubkey":"#.utf8)
        JSONWriter.appendString(pubkey, to: &json)
        json.append(contentsOf: #","created_at":\#(createdAt),"kind":\#(kind),"tags":"#.utf8)
        json.append(contentsOf: tagsJSON.utf8)
        json.append(contentsOf: #","content":"#.utf8)
        JSONWriter.appendString(content, to: &json)
        json.append(contentsOf: #","sig":"#.utf8)
        JSONWriter.appendString(sig, to: &json)
        json.append(UInt8(ascii: "}"))
        return json
    }

    /// The query that reads the legacy table (no ORDER BY: the store's rules make order irrelevant,
    /// and a sequential scan is what a large table wants).
    public static let query = "SELECT id, pubkey, created_at, kind, tags::text, content, sig FROM event"
}
