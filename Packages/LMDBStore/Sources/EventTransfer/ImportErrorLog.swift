import Foundation
import NostrCore

/// `--errors FILE`: one JSON object per rejected line, `{"file":…,"line":…,"reason":…,"text":…}`.
public final class ImportErrorLog {
    private let handle: FileHandle
    private let path: String
    private var buffer: [UInt8] = []

    /// Creates (or truncates) `path`.
    public init(path: String) throws(TransferError) {
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw TransferError.io(file: path, "cannot create the errors file") }
        self.handle = handle
        self.path = path
    }

    /// Records that line `line` of `file` was rejected for `reason`.
    func record(file: String, line: Int, reason: Reason, text: [UInt8]) throws(TransferError) {
        buffer.append(contentsOf: #"{"file":"#.utf8)
        JSONWriter.appendString(file, to: &buffer)
        buffer.append(contentsOf: #","line":\#(line),"reason":"#.utf8)
        JSONWriter.appendString(reason.description, to: &buffer)
        buffer.append(contentsOf: #","text":"#.utf8)
        JSONWriter.appendString(String(decoding: text, as: UTF8.self), to: &buffer)
        buffer.append(contentsOf: "}\n".utf8)
        if buffer.count > 1 << 16 { try flush() }
    }

    /// Writes what is buffered.
    public func flush() throws(TransferError) {
        guard !buffer.isEmpty else { return }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw TransferError.io(file: path, "\(error)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    deinit {
        try? flush()
        try? handle.close()
    }
}
