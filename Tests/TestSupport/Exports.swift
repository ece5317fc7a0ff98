// What every user of the test support needs with it: the connection core of `NostrTestClient`
// (`RelayWebSocket`, `WaitQueue`).
@_exported import RelayClientCore
