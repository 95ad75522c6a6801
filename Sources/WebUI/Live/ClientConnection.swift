import AudioOutput
import HummingbirdWebSocket
import NIOCore
import NIOWebSocket
import Synchronization

/// One connected page, and what is waiting to be sent to it.
///
/// Every outgoing message goes through this outbox and one sender task per client, so a slow
/// client only slows itself: the newest state and camera preview replace older unsent ones, audio
/// keeps a short queue (the browser's jitter buffer covers the gaps), and control messages (welcome,
/// parameters, errors) are never dropped. A write that does not finish within the stall timeout
/// means the client stopped reading; the hub's watchdog then closes the socket.
final class ClientConnection: Sendable {
    let id: Int
    /// The connection's socket, closed outright when the client stops reading.
    let channel: any Channel

    private let outbox = Mutex(Outbox())
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    /// When the write in progress started (monotonic ns), or -1 when idle.
    private let writeStartedAt = Atomic<Int64>(-1)

    /// Audio messages kept for a client that is behind (20 ms each).
    static let audioQueueLimit = 25

    private struct Outbox {
        var role = ClientRole.viewer
        var greeted = false
        var listening = false
        var finished = false
        /// The sender has taken a message and not yet handed it to the socket.
        var writing = false
        var control: [ByteBuffer] = []
        var state: ByteBuffer?
        var preview: ByteBuffer?
        var audio: [ByteBuffer] = []
        var statesSent = 0
        var audioDropped = 0
        /// The sources this page pinned, in its order.
        var pinned: [Int] = []
    }

    init(id: Int, channel: any Channel) {
        self.id = id
        self.channel = channel
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    // MARK: Role and subscriptions

    var role: ClientRole { outbox.withLock { $0.role } }
    var isGreeted: Bool { outbox.withLock { $0.greeted } }
    var isListening: Bool { outbox.withLock { $0.listening } }
    var statesSent: Int { outbox.withLock { $0.statesSent } }
    var audioDropped: Int { outbox.withLock { $0.audioDropped } }

    /// Marks the client greeted and queues its welcome in one step.
    ///
    /// The broadcasters offer states and previews to greeted clients only; were the welcome queued
    /// after the flag was set, a state or preview offered in between could reach the page first.
    ///
    /// - Parameters:
    ///   - listening: whether the page wants the audio stream.
    ///   - welcome: the encoded welcome, the first message the page receives.
    func greet(listening: Bool, welcome: ByteBuffer) {
        outbox.withLock {
            $0.greeted = true
            $0.listening = listening
            $0.control.insert(welcome, at: 0)
        }
        wake.yield()
    }

    var pinned: [Int] { outbox.withLock { $0.pinned } }

    func setRole(_ role: ClientRole) { outbox.withLock { $0.role = role } }
    func setPinned(_ sources: [Int]) { outbox.withLock { $0.pinned = sources } }
    func setListening(_ on: Bool) { outbox.withLock { $0.listening = on } }

    // MARK: Offering messages

    /// Queues a message that must arrive (welcome, parameters, role, error).
    func sendControl(_ message: ByteBuffer) {
        outbox.withLock { $0.control.append(message) }
        wake.yield()
    }

    /// Offers the newest state; an unsent older one is replaced.
    func offerState(_ message: ByteBuffer) {
        outbox.withLock { $0.state = message }
        wake.yield()
    }

    /// Offers the newest camera preview; an unsent older one is replaced.
    func offerPreview(_ message: ByteBuffer) {
        outbox.withLock { $0.preview = message }
        wake.yield()
    }

    /// Queues an audio chunk if this client listens, dropping the oldest when it is far behind.
    func offerAudio(_ message: ByteBuffer) {
        let queued = outbox.withLock { outbox -> Bool in
            guard outbox.listening else { return false }
            if outbox.audio.count >= Self.audioQueueLimit {
                outbox.audio.removeFirst()
                outbox.audioDropped += 1
            }
            outbox.audio.append(message)
            return true
        }
        if queued { wake.yield() }
    }

    // MARK: Sending

    private enum Item {
        case text(ByteBuffer)
        case binary(ByteBuffer)
    }

    /// Control first, then audio (it is the most time-critical), then state, then the preview.
    ///
    /// Taking a message marks the sender as writing until `wrote()`, so that `finish` can wait for
    /// a message that has left the queue and not yet reached the socket.
    private func next() -> Item? {
        outbox.withLock { outbox in
            let item = Self.take(from: &outbox)
            outbox.writing = item != nil
            return item
        }
    }

    private func wrote() { outbox.withLock { $0.writing = false } }

    private static func take(from outbox: inout Outbox) -> Item? {
        if !outbox.control.isEmpty { return .text(outbox.control.removeFirst()) }
        if !outbox.audio.isEmpty { return .binary(outbox.audio.removeFirst()) }
        if let state = outbox.state {
            outbox.state = nil
            outbox.statesSent += 1
            return .text(state)
        }
        if let preview = outbox.preview {
            outbox.preview = nil
            return .binary(preview)
        }
        return nil
    }

    /// Sends whatever is offered until `finish()` or a failed write.
    ///
    /// - Parameter outbound: the connection's writer.
    func runSender(_ outbound: WebSocketOutboundWriter) async {
        for await _ in wakeups {
            while let item = next() {
                writeStartedAt.store(MonotonicClock.now(), ordering: .relaxed)
                defer {
                    writeStartedAt.store(-1, ordering: .relaxed)
                    wrote()
                }
                do {
                    switch item {
                    case .text(let buffer):
                        try await outbound.write(
                            .custom(WebSocketFrame(fin: true, opcode: .text, data: buffer)))
                    case .binary(let buffer):
                        try await outbound.write(
                            .custom(WebSocketFrame(fin: true, opcode: .binary, data: buffer)))
                    }
                } catch {
                    return
                }
            }
            if outbox.withLock({ $0.finished }) { return }
        }
    }

    /// Waits (up to `timeout`) for queued control messages to reach the socket, then stops the sender.
    ///
    /// A message the sender has taken but not yet written counts as queued: the close frame that
    /// follows would otherwise overtake it, and the writer refuses anything after a close, so a
    /// client cut off for a flood could miss the error that says why.
    ///
    /// - Parameter timeout: the longest to wait for a client that is slow to take its last messages.
    func finish(flushingFor timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline && outbox.withLock({ !$0.control.isEmpty || $0.writing }) {
            try? await Task.sleep(for: .milliseconds(5))
        }
        outbox.withLock {
            $0.finished = true
            $0.state = nil
            $0.preview = nil
            $0.audio.removeAll()
        }
        wake.yield()
        wake.finish()
    }

    /// How long the current write has been waiting for the client, or nil when idle.
    ///
    /// - Parameter now: monotonic nanoseconds.
    func stalledNanoseconds(now: Int64) -> Int64? {
        let started = writeStartedAt.load(ordering: .relaxed)
        return started < 0 ? nil : now - started
    }
}
