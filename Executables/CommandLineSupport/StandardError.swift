import Foundation

/// Writes `text` to standard error as it is (add the newline).
public func standardError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}
