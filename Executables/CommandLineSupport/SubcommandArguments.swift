/// Lets options come before a subcommand's name as well as after it (`purplepages --config F
/// analytics` as `purplepages analytics --config F`), which ArgumentParser alone does not: options
/// before the name would belong to the root command.
public enum SubcommandArguments {
    /// `arguments` (without the executable's name) with the options written before the first
    /// subcommand name moved after it; unchanged when no subcommand is named, nothing precedes it,
    /// or a `--` ends the options first. `optionsWithValues` are the options whose value is the next
    /// argument (`--config F`; `--config=F` is one argument either way).
    public static func reordered(
        _ arguments: [String], subcommands: Set<String>, optionsWithValues: Set<String>
    ) -> [String] {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" { return arguments }
            if argument.hasPrefix("-") {
                index += optionsWithValues.contains(argument) ? 2 : 1
                continue
            }
            guard index > 0, subcommands.contains(argument) else { return arguments }
            return [argument] + arguments[..<index] + arguments[(index + 1)...]
        }
        return arguments
    }
}
