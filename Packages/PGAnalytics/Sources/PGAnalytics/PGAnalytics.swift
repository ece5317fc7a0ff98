import CLibPQ

/// The libpq version this process is linked against (e.g. 150018 for 15.18).
public var libpqVersion: Int { Int(PQlibVersion()) }
