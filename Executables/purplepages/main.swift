// The PurplePages relay. The WebSocket server arrives with the RelayServer issue; until then this
// binary only reports what it is.
import NostrCore

print("purplepages: the relay arrives with the next piece of work (RelayServer). NostrCore is ready.")
