import Foundation

extension PostgresValue {
    /// `date` as `timestamptz` text in UTC with microseconds (`2026-11-25 22:30:00.000000+00`).
    public static func timestamp(_ date: Date) -> PostgresValue {
        .string(TrackingTime.timestampText(microseconds: TrackingTime(date).microseconds))
    }
}
