import NIOCore

/// A camera client that masks each distinct frame once and then sends the same bytes again and again.
///
/// A WebSocket client must mask what it sends, byte by byte; in a debug build that loop, run on the
/// event loop the server shares, costs tens of milliseconds per 150 KB frame and would measure the
/// test client rather than the server. Browsers mask in native code. The server still unmasks, parses
/// and submits every frame as it would a browser's.
final class PremaskedCamera: Sendable {
    private let raw: RawTCPClient
    private let frames: [[UInt8]]
    private let draining: Task<Void, Never>

    /// Connects, says hello as the camera, and prepares the frames.
    ///
    /// - Parameters:
    ///   - port: the server's port.
    ///   - messages: camera frame messages, sent in turn by `send(_:)`.
    /// - Throws: `TestFailure` when the upgrade is refused.
    init(port: Int, messages: [ByteBuffer]) async throws {
        raw = try RawTCPClient(port: port)
        await raw.send(RawTCPClient.upgradeRequest())
        let head = await raw.readHead()
        guard head.hasPrefix("HTTP/1.1 101") else { throw TestFailure("upgrade refused: \(head)") }
        let hello = #"{"type":"hello","role":"camera","listen":false}"#
        await raw.send(RawTCPClient.frame(opcode: 0x1, payload: Array(hello.utf8)))
        frames = messages.map { RawTCPClient.frame(opcode: 0x2, payload: Array($0.readableBytesView)) }
        // Read (and drop) what the server sends, as a page would, so it never sees a stalled client.
        draining = Task { [raw] in
            while !Task.isCancelled { _ = await raw.read(timeout: 0.5) { _ in false } }
        }
    }

    /// Sends frame `index` (modulo the number of frames).
    func send(_ index: Int) async { await raw.send(frames[index % frames.count]) }

    /// Stops reading and drops the connection.
    func close() {
        draining.cancel()
        raw.reset()
    }
}
