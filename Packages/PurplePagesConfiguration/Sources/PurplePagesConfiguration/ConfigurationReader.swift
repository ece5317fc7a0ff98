import NostrCore

/// Walks a parsed config.json, converting values and recording which keys were read, so unknown
/// keys can be reported and every error names its key path.
struct ConfigurationReader {
    let file: String?
    private let root: [String: JSONValue]
    private(set) var readKeys = Set<String>()

    init(json: JSONValue, file: String?) throws(ConfigurationError) {
        guard case .object(let members) = json else {
            throw ConfigurationError(file: file, key: "", reason: "the configuration must be a JSON object")
        }
        self.file = file
        var flattened: [String: JSONValue] = [:]
        ConfigurationReader.flatten(members, prefix: "", into: &flattened)
        root = flattened
    }

    /// Flattens nested objects to dotted keys; objects themselves are kept too (for sections).
    private static func flatten(_ members: [JSONValue.Member], prefix: String, into result: inout [String: JSONValue]) {
        for member in members {
            let key = prefix.isEmpty ? member.key : prefix + "." + member.key
            result[key] = member.value
            if case .object(let inner) = member.value { flatten(inner, prefix: key, into: &result) }
        }
    }

    func error(_ key: String, _ reason: String) -> ConfigurationError {
        ConfigurationError(file: file, key: key, reason: reason)
    }

    private mutating func value(_ key: String) -> JSONValue? {
        readKeys.insert(key)
        guard let value = root[key] else { return nil }
        if case .null = value { return nil }
        return value
    }

    mutating func string(_ key: String) throws(ConfigurationError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else { throw error(key, "expected a string") }
        return text
    }

    mutating func integer(_ key: String, in range: ClosedRange<Int> = 0...Int.max) throws(ConfigurationError) -> Int? {
        guard let value = value(key) else { return nil }
        guard let number = value.int64Value, let integer = Int(exactly: number) else {
            throw error(key, "expected an integer")
        }
        guard range.contains(integer) else {
            throw error(key, "must be between \(range.lowerBound) and \(range.upperBound), not \(integer)")
        }
        return integer
    }

    /// A non-negative number (integer or fraction).
    mutating func rate(_ key: String) throws(ConfigurationError) -> Double? {
        guard let value = value(key) else { return nil }
        guard let number = value.doubleValue, number.isFinite, number >= 0 else {
            throw error(key, "expected a number of at least 0")
        }
        return number
    }

    /// A number between 0 and 1.
    mutating func fraction(_ key: String) throws(ConfigurationError) -> Double? {
        guard let value = value(key) else { return nil }
        guard let number = value.doubleValue, number >= 0, number <= 1 else {
            throw error(key, "expected a number between 0 and 1")
        }
        return number
    }

    mutating func boolean(_ key: String) throws(ConfigurationError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag) = value else { throw error(key, "expected true or false") }
        return flag
    }

    mutating func strings(_ key: String) throws(ConfigurationError) -> [String]? {
        guard let value = value(key) else { return nil }
        guard case .array(let elements) = value else { throw error(key, "expected an array of strings") }
        var result: [String] = []
        for (index, element) in elements.enumerated() {
            guard case .string(let text) = element else { throw error("\(key)[\(index)]", "expected a string") }
            result.append(text)
        }
        return result
    }

    mutating func integers(_ key: String) throws(ConfigurationError) -> [Int]? {
        guard let value = value(key) else { return nil }
        guard case .array(let elements) = value else { throw error(key, "expected an array of integers") }
        var result: [Int] = []
        for (index, element) in elements.enumerated() {
            guard let number = element.int64Value, let integer = Int(exactly: number) else {
                throw error("\(key)[\(index)]", "expected an integer")
            }
            result.append(integer)
        }
        return result
    }

    /// `allowed_kinds`: integers and `"a-b"` range strings.
    mutating func kinds(_ key: String) throws(ConfigurationError) -> KindSet? {
        guard let value = value(key) else { return nil }
        guard case .array(let elements) = value else {
            throw error(key, "expected an array of kinds and \"a-b\" ranges")
        }
        var ranges: [ClosedRange<UInt16>] = []
        for (index, element) in elements.enumerated() {
            let path = "\(key)[\(index)]"
            switch element {
            case .number:
                guard let number = element.int64Value, let kind = UInt16(exactly: number) else {
                    throw error(path, "a kind is an integer between 0 and 65535")
                }
                ranges.append(kind...kind)
            case .string(let text):
                let parts = text.split(separator: "-", omittingEmptySubsequences: false)
                guard parts.count == 2, let low = UInt16(parts[0].trimmingCharacters()),
                    let high = UInt16(parts[1].trimmingCharacters())
                else { throw error(path, "expected a range like \"10000-19999\", not \"\(text)\"") }
                guard low <= high else { throw error(path, "the range \"\(text)\" starts after it ends") }
                ranges.append(low...high)
            default:
                throw error(path, "expected a kind or a \"a-b\" range")
            }
        }
        return KindSet(ranges)
    }

    /// Values present in the file under the sections named (`section` itself or `section.*`), by
    /// key; objects are not listed, their members are.
    func presentKeys(inSections sections: Set<String>) -> [String] {
        root.filter { key, value in
            if case .object = value { return false }
            return sections.contains { key == $0 || key.hasPrefix($0 + ".") }
        }.keys.sorted()
    }

    /// Keys present in the file that nothing read (sections named in `knownSections` are skipped).
    func unknownKeys(knownSections: Set<String>) -> [String] {
        root.keys.filter { key in
            if readKeys.contains(key) { return false }
            if knownSections.contains(where: { key == $0 || key.hasPrefix($0 + ".") }) { return false }
            // An object whose members were read is fine.
            if case .object = root[key]!, readKeys.contains(where: { $0.hasPrefix(key + ".") }) { return false }
            return true
        }.sorted()
    }
}

extension Substring {
    fileprivate func trimmingCharacters() -> Substring {
        var text = self
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return text
    }
}
