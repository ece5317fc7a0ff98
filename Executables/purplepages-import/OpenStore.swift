import ArgumentParser
import CommandLineSupport
import LMDBStore
import Logging
import NostrCore
import PurplePagesConfiguration

/// Opens the store at `storage.path` (created when absent, unless read-only), with the
/// importer's own batch bounds: at most `maxBatchEvents` per transaction, `maxQueued` waiting. A
/// store that cannot be opened is logged as an error, and the command exits with status 1.
func openStore(
    _ configuration: RelayConfiguration, logger: Logger, readOnly: Bool = false, maxBatchEvents: Int = 50_000,
    maxQueued: Int = 100_000, onReplace: (@Sendable (Event) -> Void)? = nil
) throws -> EventStore {
    var storeConfiguration = configuration.eventStore(readOnly: readOnly)
    storeConfiguration.onReplace = onReplace
    storeConfiguration.maxBatchEvents = maxBatchEvents
    storeConfiguration.maxQueuedEvents = max(maxQueued, maxBatchEvents)
    do {
        return try EventStore(configuration: storeConfiguration)
    } catch {
        logger.error("cannot open the store \(configuration.storage.path): \(error)")
        throw ExitCode(1)
    }
}

/// Reads `--config`, logging unknown keys as warnings; an invalid file exits with status 2.
func loadConfiguration(_ option: ConfigurationFileOption, logger: Logger) throws -> RelayConfiguration {
    let configuration = try option.load(tool: "purplepages-import")
    for warning in configuration.warnings { logger.warning("\(warning)") }
    return configuration
}
