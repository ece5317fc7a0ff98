import Synchronization

/// Closes the idle negentropy sessions of clients that went quiet: one task for the whole relay,
/// running only while some connection has a session open, instead of a timer per session.
///
/// A connection that keeps talking has its own sessions checked on each NEG message; this task is
/// for the ones that stop, whose sessions would otherwise hold their item lists until they hang up.
/// A session is closed between `idleTime` and `idleTime + interval` after its last use.
final class NegentropySweeper: Sendable {
    private let interval: Duration
    private let state = Mutex(State())

    private struct State {
        /// Connections with sessions, by connection number.
        var watched: [UInt64: NegentropySessions] = [:]
        var running = false
    }

    /// A sweeper for sessions closed after `idleTime`; it looks a quarter of that apart (between
    /// 0.25 s and 15 s), so a session outlives its idle time by at most a quarter of it.
    init(idleTime: Duration) {
        interval = min(max(idleTime / 4, .milliseconds(250)), .seconds(15))
    }

    /// Watches `sessions` (just given a session) until they are empty; starts the task if it is
    /// not running.
    func watch(_ sessions: NegentropySessions) {
        let start = state.withLock { state -> Bool in
            state.watched[sessions.connection] = sessions
            defer { state.running = true }
            return !state.running
        }
        if start { Task { await self.run() } }
    }

    /// Stops watching the sessions of `connection` (it ended).
    func unwatch(connection: UInt64) {
        state.withLock { _ = $0.watched.removeValue(forKey: connection) }
    }

    private func run() async {
        while true {
            try? await Task.sleep(for: interval)
            let watched = state.withLock { Array($0.watched.values) }
            let now = ContinuousClock.now
            for sessions in watched { sessions.closeIdle(now: now) }
            // Checked under the lock `watch` takes, after the reader's insertion: a connection that
            // opens a session while this runs is either seen non-empty or watched again.
            let stop = state.withLock { state -> Bool in
                state.watched = state.watched.filter { !$0.value.isEmpty }
                if state.watched.isEmpty { state.running = false }
                return !state.running
            }
            if stop { return }
        }
    }
}
