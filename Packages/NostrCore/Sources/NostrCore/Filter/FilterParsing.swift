extension Filter {
    /// Parses one filter object strictly: known fields must have the right types; `ids`, `authors`,
    /// `#e` and `#p` must hold exact 64-character lowercase hex; kinds must be 0...65535; `since`,
    /// `until` and `limit` must be non-negative integers; tag keys must be `#` plus one ASCII letter.
    /// Duplicate fields are invalid, `null` counts as absent and unknown fields are ignored.
    public init(json: some Sequence<UInt8>) throws(Reason) {
        let bytes = Array(json)
        let result: Result<Filter, Reason> = bytes.withUnsafeBytes { buffer in
            var reader = JSONReader(buffer)
            do {
                let filter = try Filter.read(from: &reader)
                try reader.expectEnd()
                return .success(filter)
            } catch {
                return .failure(Event.reason(for: error))
            }
        }
        self = try result.get()
    }

    /// Parses one filter object from a string.
    public init(json: String) throws(Reason) {
        try self.init(json: Array(json.utf8))
    }

    static func read(from reader: inout JSONReader) throws -> Filter {
        guard try reader.peek() == UInt8(ascii: "{") else { throw ProtocolViolation("a filter must be a JSON object") }
        try reader.beginObject()
        var filter = Filter()
        var seen = Set<String>()
        var first = true
        while let keyToken = try reader.nextKey(&first) {
            let key = reader.decodeString(keyToken)
            guard seen.insert(key).inserted else { throw ProtocolViolation("duplicate field \"\(key)\" in filter") }
            if try reader.skipNull() { continue }
            switch key {
            case "ids":
                filter.ids = try readHexList(&reader, field: key).map(EventID.init)
            case "authors":
                filter.authors = try readHexList(&reader, field: key).map(PublicKey.init)
            case "kinds":
                filter.kinds = try readKinds(&reader)
            case "since":
                filter.since = try readNonNegative(&reader, field: key)
            case "until":
                filter.until = try readNonNegative(&reader, field: key)
            case "limit":
                let value = try readNonNegative(&reader, field: key)
                filter.limit = Int(clamping: value)
            case "search":
                guard try reader.peek() == UInt8(ascii: "\"") else {
                    throw ProtocolViolation("\"search\" must be a string")
                }
                filter.search = try reader.readString()
            default:
                if key.hasPrefix("#") {
                    filter.tags.append(try readTagCondition(&reader, key: key))
                } else {
                    try reader.skipValue()
                }
            }
        }
        filter.tags.sort { $0.letter < $1.letter }
        return filter
    }

    private static func readHexList(_ reader: inout JSONReader, field: String) throws -> [Bytes32] {
        guard try reader.peek() == UInt8(ascii: "[") else {
            throw ProtocolViolation("\"\(field)\" must be an array of 64-character lowercase hex strings")
        }
        try reader.beginArray()
        var values: [Bytes32] = []
        var first = true
        while try reader.nextElement(&first) {
            guard let value = try Event.readHex32(&reader) else {
                throw ProtocolViolation("\"\(field)\" must hold 64-character lowercase hex strings")
            }
            values.append(value)
        }
        return values
    }

    private static func readKinds(_ reader: inout JSONReader) throws -> [Kind] {
        guard try reader.peek() == UInt8(ascii: "[") else {
            throw ProtocolViolation("\"kinds\" must be an array of integers")
        }
        try reader.beginArray()
        var kinds: [Kind] = []
        var first = true
        while try reader.nextElement(&first) {
            let byte = try reader.peek()
            guard byte == UInt8(ascii: "-") || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) else {
                throw ProtocolViolation("\"kinds\" must be an array of integers")
            }
            let value = try reader.readInteger("a kind")
            guard value >= 0, value <= 65535 else { throw ProtocolViolation("kinds must be between 0 and 65535") }
            kinds.append(Kind(rawValue: UInt16(value)))
        }
        return kinds
    }

    private static func readNonNegative(_ reader: inout JSONReader, field: String) throws -> Int64 {
        let byte = try reader.peek()
        guard byte == UInt8(ascii: "-") || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) else {
            throw ProtocolViolation("\"\(field)\" must be a non-negative integer")
        }
        let value = try reader.readInteger("\"\(field)\" as an integer")
        guard value >= 0 else { throw ProtocolViolation("\"\(field)\" must be a non-negative integer") }
        return value
    }

    private static func readTagCondition(_ reader: inout JSONReader, key: String) throws -> TagCondition {
        let utf8 = Array(key.utf8)
        guard utf8.count == 2, let letter = utf8.last,
            (letter >= UInt8(ascii: "a") && letter <= UInt8(ascii: "z"))
                || (letter >= UInt8(ascii: "A") && letter <= UInt8(ascii: "Z"))
        else { throw ProtocolViolation("unsupported tag filter \"\(key)\": use # and a single letter") }
        guard try reader.peek() == UInt8(ascii: "[") else {
            throw ProtocolViolation("\"\(key)\" must be an array of strings")
        }
        let needsHex = letter == UInt8(ascii: "e") || letter == UInt8(ascii: "p")
        try reader.beginArray()
        var values: [String] = []
        var first = true
        while try reader.nextElement(&first) {
            guard try reader.peek() == UInt8(ascii: "\"") else {
                throw ProtocolViolation("\"\(key)\" must be an array of strings")
            }
            let value = try reader.readString()
            if needsHex && Bytes32(hex: value) == nil {
                throw ProtocolViolation("\"\(key)\" must hold 64-character lowercase hex strings")
            }
            values.append(value)
        }
        return TagCondition(letter: letter, values: values)
    }
}

extension Filter {
    /// Writes the filter as compact JSON, fields in a fixed order.
    public func writeJSON(to output: inout [UInt8]) {
        var first = true
        func key(_ name: String) {
            output.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            first = false
            JSONWriter.appendString(name, to: &output)
            output.append(UInt8(ascii: ":"))
        }
        func hexList(_ values: [Bytes32]) {
            output.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                output.append(UInt8(ascii: "\""))
                value.appendHex(to: &output)
                output.append(UInt8(ascii: "\""))
            }
            output.append(UInt8(ascii: "]"))
        }
        if let ids {
            key("ids")
            hexList(ids.map(\.raw))
        }
        if let authors {
            key("authors")
            hexList(authors.map(\.raw))
        }
        if let kinds {
            key("kinds")
            output.append(UInt8(ascii: "["))
            for (index, kind) in kinds.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                JSONWriter.appendUnsigned(UInt64(kind.rawValue), to: &output)
            }
            output.append(UInt8(ascii: "]"))
        }
        for condition in tags {
            key(condition.key)
            output.append(UInt8(ascii: "["))
            for (index, value) in condition.values.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                JSONWriter.appendString(value, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        }
        if let since {
            key("since")
            JSONWriter.appendInteger(since, to: &output)
        }
        if let until {
            key("until")
            JSONWriter.appendInteger(until, to: &output)
        }
        if let limit {
            key("limit")
            JSONWriter.appendInteger(Int64(limit), to: &output)
        }
        if let search {
            key("search")
            JSONWriter.appendString(search, to: &output)
        }
        if first { output.append(UInt8(ascii: "{")) }
        output.append(UInt8(ascii: "}"))
    }

    /// The filter as compact JSON text.
    public var jsonString: String {
        var output: [UInt8] = []
        writeJSON(to: &output)
        return String(decoding: output, as: UTF8.self)
    }
}
