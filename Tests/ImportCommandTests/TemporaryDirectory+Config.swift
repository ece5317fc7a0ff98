import Foundation
import PurplePagesTestSupport

extension TemporaryDirectory {
    /// A config.json storing events under this directory; returns its path.
    func config(_ extra: String = "") throws -> String {
        let path = self.path + "/config.json"
        let text = #"{"storage": {"path": "\#(self.path)/store", "map_size_gb": 1}\#(extra)}"#
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}
