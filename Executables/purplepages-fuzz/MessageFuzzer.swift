// libFuzzer entry point for NostrCore's client-message parser (`make fuzz`).
//
// Built with `-sanitize=fuzzer -DFUZZING`, libFuzzer drives `fuzzOneInput`. Built normally, the
// same binary replays files (a corpus or a crash reproducer) through it, so ordinary builds and CI
// keep compiling this code.
import NostrCore

/// Feeds one input to every parser an untrusted client can reach, and checks invariants that must
/// hold for any input: no crash, and anything accepted re-encodes to something that parses the same.
func fuzzOneInput(_ bytes: UnsafeRawBufferPointer) {
    if let message = try? ClientMessage.parse(bytes) {
        switch message {
        case .event(let event), .auth(let event):
            _ = event.hasValidID
            let reparsed = try? Event(json: event.serializedJSON())
            precondition(reparsed == event, "an accepted event must survive re-serialisation")
        case .request(_, let filters), .count(_, let filters):
            for filter in filters {
                precondition((try? Filter(json: filter.jsonString)) == filter, "a filter must survive re-encoding")
            }
        default:
            break
        }
    }
    if let value = try? JSONValue.parse(Array(bytes)) {
        precondition((try? JSONValue.parse(value.jsonString)) == value, "a JSON value must survive re-encoding")
    }
}

#if FUZZING
/// The callback libFuzzer's runtime looks for by name.
@_cdecl("LLVMFuzzerTestOneInput")
func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzOneInput(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// SwiftPM names an executable's entry point `<target>_main`; libFuzzer takes over from there.
@_cdecl("purplepages_fuzz_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, LLVMFuzzerTestOneInput)
}
#else
import Foundation

/// Replays each file named on the command line (or every file in a named directory).
@main
enum FuzzReplay {
    static func main() throws {
        var files: [String] = []
        for path in CommandLine.arguments.dropFirst() {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                FileHandle.standardError.write(Data("purplepages-fuzz: no such file: \(path)\n".utf8))
                exit(2)
            }
            if isDirectory.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
                files += names.map { path + "/" + $0 }
            } else {
                files.append(path)
            }
        }
        for file in files {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            data.withUnsafeBytes { fuzzOneInput($0) }
        }
        print("purplepages-fuzz: replayed \(files.count) input(s) without a failure")
    }
}
#endif
