import NIOCore
import Testing

@testable import RelayServer

@Suite("Outgoing message queue")
struct ConnectionSinkTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    private func texts(_ batch: [ByteBuffer]?) -> [String]? { batch?.map { String(buffer: $0) } }

    @Test func theWriterTakesEverythingQueuedAtOnceInOrder() async {
        let sink = ConnectionSink(id: 1)
        for index in 0..<5 { #expect(sink.send(bytes: bytes("m\(index)"))) }
        #expect(texts(await sink.nextBatch()) == ["m0", "m1", "m2", "m3", "m4"])
        #expect(sink.send(bytes: bytes("m5")))
        #expect(texts(await sink.nextBatch()) == ["m5"])
    }

    @Test func aWaitingWriterWakesForTheNextMessage() async {
        let sink = ConnectionSink(id: 1)
        async let batch = sink.nextBatch()
        // Whether the writer is already waiting or not, the message must reach it.
        try? await Task.sleep(for: .milliseconds(20))
        sink.send(bytes: bytes("late"))
        #expect(texts(await batch) == ["late"])
    }

    @Test func closingDeliversWhatIsQueuedThenEnds() async {
        let sink = ConnectionSink(id: 1)
        sink.send(bytes: bytes("last words"))
        sink.close()
        #expect(!sink.send(bytes: bytes("after close")))
        #expect(texts(await sink.nextBatch()) == ["last words"])
        #expect(await sink.nextBatch() == nil)
        #expect(!sink.overflowed)
    }

    @Test func tooManyMessagesEndTheConnection() async {
        let sink = ConnectionSink(id: 1, messageLimit: 3, byteLimit: 1 << 20)
        for index in 0..<3 { #expect(sink.send(bytes: bytes("m\(index)"))) }
        #expect(!sink.send(bytes: bytes("one too many")))
        #expect(sink.overflowed)
        // What was queued is dropped: the client is too slow to be sent anything more.
        #expect(await sink.nextBatch() == nil)
    }

    @Test func tooManyBytesEndTheConnection() async {
        let sink = ConnectionSink(id: 1, messageLimit: 1000, byteLimit: 100)
        #expect(sink.send(bytes: Array(repeating: 0x41, count: 60)))
        #expect(!sink.send(bytes: Array(repeating: 0x41, count: 41)))
        #expect(sink.overflowed)
    }

    @Test func bytesTakenByTheWriterMakeRoomAgain() async {
        let sink = ConnectionSink(id: 1, messageLimit: 1000, byteLimit: 100)
        #expect(sink.send(bytes: Array(repeating: 0x41, count: 90)))
        #expect(await sink.nextBatch()?.count == 1)
        #expect(sink.send(bytes: Array(repeating: 0x42, count: 90)))
        #expect(!sink.overflowed)
    }

    @Test func theReaderWaitsUntilTheWriterTookTheQueue() async throws {
        let sink = ConnectionSink(id: 1)
        await sink.waitForRoom()  // empty: returns at once
        sink.send(bytes: bytes("result"))
        let waiting = Task {
            await sink.waitForRoom()
            return true
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(texts(await sink.nextBatch()) == ["result"])
        #expect(await waiting.value)
    }

    @Test func closingReleasesAWaitingReader() async throws {
        let sink = ConnectionSink(id: 1)
        sink.send(bytes: bytes("never taken"))
        let waiting = Task { await sink.waitForRoom() }
        try await Task.sleep(for: .milliseconds(20))
        sink.close()
        await waiting.value
    }
}
