import ArgumentParser
import CommandLineSupport
import LMDBStore
import PurplePagesConfiguration

/// Opens the store at `storage.path` (created when absent, unless read-only), with the
/// importer's own batch bounds: at most `maxBatchEvents` per transaction, `maxQueued` waiting.
func openStore(
    _ configuration: RelayConfiguration, readOnly: Bool = false, maxBatchEvents: Int = 50_000, maxQueued: Int = 100_000
) throws -> EventStore {
    var storeConfiguration = configuration.eventStore(readOnly: readOnly)
    storeConfiguration.maxBatchEvents = maxBatchEvents
    storeConfiguration.maxQueuedEvents = max(maxQueued, maxBatchEvents)
    do {
        return try EventStore(configuration: storeConfiguration)
    } catch {
        standardError("purplepages-import: cannot open the store \(configuration.storage.path): \(error)\n")
        throw ExitCode(1)
    }
}

/// Reads `--config`, reporting unknown keys; an invalid file exits with status 2.
func loadConfiguration(_ option: ConfigurationFileOption) throws -> RelayConfiguration {
    let configuration = try option.load(tool: "purplepages-import")
    for warning in configuration.warnings { standardError(warning + "\n") }
    return configuration
}
