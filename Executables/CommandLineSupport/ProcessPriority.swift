import Foundation
import Logging

/// The CPU priority of this process.
public enum ProcessPriority {
    /// Lowers it so that a long computation yields the cores to the relay: niceness `nice`, and
    /// the batch scheduling class (a CPU-bound process that never preempts a waking one). What
    /// cannot be done is logged as a warning (the process runs on at its priority).
    public static func lower(to nice: Int, logger: Logger) {
        if setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Int32(nice)) != 0 {
            logger.warning("could not set niceness \(nice): \(String(cString: strerror(errno)))")
        }
        var parameters = sched_param()
        parameters.sched_priority = 0
        if sched_setscheduler(0, 3, &parameters) != 0 {  // 3 = SCHED_BATCH (not exported by Glibc)
            logger.warning("could not use SCHED_BATCH: \(String(cString: strerror(errno)))")
        }
    }
}
