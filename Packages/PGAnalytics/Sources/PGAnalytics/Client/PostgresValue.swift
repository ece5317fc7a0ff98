/// A query parameter or a `COPY` field, sent to PostgreSQL in text format.
///
/// Parameters go untyped, so the server infers each one's type from where it is used; cast where
/// it cannot (`select $1::int8`).
public enum PostgresValue: Sendable, Hashable {
    /// SQL `NULL`.
    case null
    /// Text, for any type whose input function reads it (`text`, `jsonb`, `timestamptz`...).
    case string(String)
    /// A 64-bit integer.
    case int64(Int64)
    /// A double; NaN and infinities included.
    case double(Double)
    /// A boolean.
    case bool(Bool)
    /// Raw bytes, for `bytea`.
    case bytes([UInt8])

    /// An `Int` as a 64-bit integer.
    public static func int(_ value: Int) -> PostgresValue { .int64(Int64(value)) }

    /// The string, or `NULL` when nil.
    public init(_ value: String?) { self = value.map { .string($0) } ?? .null }
    /// The integer, or `NULL` when nil.
    public init(_ value: Int?) { self = value.map { .int64(Int64($0)) } ?? .null }
    /// The integer, or `NULL` when nil.
    public init(_ value: Int64?) { self = value.map { .int64($0) } ?? .null }
    /// The double, or `NULL` when nil.
    public init(_ value: Double?) { self = value.map { .double($0) } ?? .null }
    /// The boolean, or `NULL` when nil.
    public init(_ value: Bool?) { self = value.map { .bool($0) } ?? .null }
    /// The bytes, or `NULL` when nil.
    public init(_ value: [UInt8]?) { self = value.map { .bytes($0) } ?? .null }
}

extension PostgresValue: ExpressibleByStringLiteral {
    /// A string literal is a `.string`.
    public init(stringLiteral value: String) { self = .string(value) }
}

extension PostgresValue: ExpressibleByIntegerLiteral {
    /// An integer literal is an `.int64`.
    public init(integerLiteral value: Int64) { self = .int64(value) }
}

extension PostgresValue: ExpressibleByFloatLiteral {
    /// A float literal is a `.double`.
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension PostgresValue: ExpressibleByBooleanLiteral {
    /// A boolean literal is a `.bool`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}
