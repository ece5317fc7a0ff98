import CommandLineSupport
import Foundation

/// One timestamped log line on standard error.
@Sendable func logLine(_ text: String) {
    standardError("\(Date().formatted(.iso8601)) \(text)\n")
}
