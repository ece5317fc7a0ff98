/// What a `RelayWebSocket` makes of each text message the relay sends, as it arrives: the test
/// client parses it whole, the benchmark reads only its head.
public protocol InboundMessage: Sendable {
    /// The message made from `text`, which arrived at `arrival`.
    init(text: String, arrival: ContinuousClock.Instant)
    /// The message as the relay sent it.
    var text: String { get }
    /// The message type: `"EVENT"`, `"OK"`, `"EOSE"`, `"AUTH"`, ...
    var type: String? { get }
    /// Element `index` of the message array, if it is a string.
    func string(_ index: Int) -> String?
}
