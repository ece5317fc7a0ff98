import Foundation

/// An instant as the tracking tables use it: microseconds (PostgreSQL's `timestamptz`
/// precision), UTC hours and UTC days, and their text for `COPY`.
///
/// Buckets are computed here rather than by the server so that a record lands in the same hour and
/// day whatever the session's `TimeZone`, and the text carries an explicit `+00` for the same reason.
struct TrackingTime {
    /// Microseconds since 1970, UTC.
    let microseconds: Int64

    init(_ date: Date) {
        // To the nearest, as PostgreSQL reads times: a double's `.789` may sit a hair below it.
        // The buckets derive from the rounded value, so a time and its hour and day always agree.
        microseconds = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// The first second of the UTC hour, in seconds since 1970.
    var hourStart: Int64 { Self.floorDivide(microseconds, 3_600_000_000) * 3_600 }
    /// The UTC day, in days since 1970.
    var day: Int64 { Self.floorDivide(microseconds, 86_400_000_000) }

    /// `YYYY-MM-DD HH:MM:SS.ffffff+00`, what `timestamptz` reads, for microseconds since 1970.
    static func timestampText(microseconds: Int64) -> String {
        let day = floorDivide(microseconds, 86_400_000_000)
        let ofDay = microseconds - day * 86_400_000_000
        let seconds = ofDay / 1_000_000
        let fraction = ofDay % 1_000_000
        return "\(dateText(day: day)) \(pad(seconds / 3_600, 2)):\(pad(seconds / 60 % 60, 2)):"
            + "\(pad(seconds % 60, 2)).\(pad(fraction, 6))+00"
    }

    /// `YYYY-MM-DD`, what `date` reads, for a day number since 1970.
    static func dateText(day: Int64) -> String {
        let (year, month, dayOfMonth) = civilDate(day: day)
        // Years before 1 or after 9999 cannot come from a relay's clock; `date` would read them
        // differently, so they are clamped rather than sent malformed.
        return "\(pad(min(max(year, 1), 9999), 4))-\(pad(month, 2))-\(pad(dayOfMonth, 2))"
    }

    /// Howard Hinnant's `civil_from_days`: the proleptic Gregorian date of a day since 1970.
    static func civilDate(day: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = day + 719_468
        let era = floorDivide(shifted, 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let dayOfMonth = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, dayOfMonth)
    }

    /// Division rounding towards minus infinity, so times before 1970 fall in the right bucket.
    static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
