import Foundation
import Hummingbird
import HummingbirdWSClient
import Logging
import NIOCore
import NIOSSL
import NIOWebSocket
import Synchronization

/// Messages received and not yet taken, and whether the connection has ended; or, once counting,
/// only how many state messages came and the longest wait between two.
private final class Inbox: Sendable {
    struct Contents {
        var messages: [WebSocketMessage] = []
        var finished = false
        var counting = false
        var tally = TestWebSocket.Tally()
    }
    let state = Mutex(Contents())

    func received(_ message: WebSocketMessage) {
        let now = ContinuousClock.now
        state.withLock { contents in
            guard contents.counting else {
                contents.messages.append(message)
                return
            }
            switch message {
            case .text(let text) where text.contains(#""type":"state""#):
                contents.tally.states += 1
                if let last = contents.tally.lastState {
                    if now - last > contents.tally.longestGap {
                        contents.tally.longestGap = now - last
                        contents.tally.longestGapEnded = now
                    }
                }
                contents.tally.lastState = now
            case .text: contents.tally.otherTexts += 1
            case .binary: contents.tally.binaries += 1
            }
        }
    }
}

/// A WebSocket client for tests, driven step by step: connect, send, await the next message.
///
/// It wraps hummingbird-websocket's client (with the same raised frame limit as the page needs),
/// buffers everything the server sends, and records how the server closed the connection.
final class TestWebSocket: Sendable {
    private let inbox = Inbox()
    private let outgoing: AsyncStream<WebSocketOutboundWriter.OutboundFrame>.Continuation
    private let task: Task<WebSocketCloseFrame?, any Error>

    /// Connects to `/ws` (or another path) on a local port.
    ///
    /// - Parameters:
    ///   - port: the server's port.
    ///   - path: path and query.
    ///   - scheme: `ws` or `wss`.
    ///   - tls: client TLS settings for `wss`.
    ///   - headers: extra request headers (Origin, Cookie).
    init(
        port: Int, path: String = "/ws", scheme: String = "ws", tls: TLSConfiguration? = nil,
        headers: HTTPFields = [:]
    ) {
        let (commands, outgoing) = AsyncStream.makeStream(of: WebSocketOutboundWriter.OutboundFrame.self)
        self.outgoing = outgoing
        var logger = Logger(label: "test-client")
        logger.logLevel = .critical
        let inbox = self.inbox
        task = Task {
            defer { inbox.state.withLock { $0.finished = true } }
            return try await WebSocketClient.connect(
                url: "\(scheme)://127.0.0.1:\(port)\(path)",
                // With TLS the certificate is checked against "localhost" (SNI cannot carry an IP address).
                configuration: .init(
                    maxFrameSize: 1 << 20, additionalHeaders: headers,
                    sniHostname: tls == nil ? nil : "localhost"),
                tlsConfiguration: tls, logger: logger
            ) { inbound, outbound, _ in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await command in commands {
                            try await outbound.write(command)
                        }
                        // The test is done with this client: close as a browser would.
                        try await outbound.close(.normalClosure, reason: nil)
                    }
                    for try await message in inbound.messages(maxSize: 1 << 20) { inbox.received(message) }
                    group.cancelAll()
                }
            }
        }
    }

    /// What a counting client has seen.
    struct Tally: Sendable {
        var states = 0
        var otherTexts = 0
        var binaries = 0
        var lastState: ContinuousClock.Instant?
        var longestGap = Duration.zero
        var longestGapEnded: ContinuousClock.Instant?
    }

    /// From now on, count messages instead of keeping them (for long load tests).
    func startCounting() { inbox.state.withLock { $0.counting = true } }

    /// What has been counted since `startCounting()`.
    var tally: Tally { inbox.state.withLock { $0.tally } }

    func send(text: String) { outgoing.yield(.text(text)) }
    func send(binary: ByteBuffer) { outgoing.yield(.binary(binary)) }
    func send(json: [String: Any]) {
        send(text: String(decoding: try! JSONSerialization.data(withJSONObject: json), as: UTF8.self))
    }

    /// Messages received so far and not yet taken.
    var pendingCount: Int { inbox.state.withLock { $0.messages.count } }

    /// The next message, or nil when the connection closed or `timeout` passed.
    func next(timeout: Duration = .seconds(15)) async -> WebSocketMessage? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let (message, finished) = inbox.state.withLock { inbox -> (WebSocketMessage?, Bool) in
                inbox.messages.isEmpty ? (nil, inbox.finished) : (inbox.messages.removeFirst(), false)
            }
            if let message { return message }
            if finished || ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(2))
        }
    }
    /// The next JSON message of a type (skipping others), or nil.
    func next(type: String, timeout: Duration = .seconds(15)) async -> [String: Any]? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard let message = await next(timeout: deadline - .now) else { return nil }
            if case .text(let text) = message,
                let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                object["type"] as? String == type
            {
                return object
            }
        }
        return nil
    }

    /// The next binary message whose first four bytes are `magic`, or nil.
    func nextBinary(magic: String, timeout: Duration = .seconds(15)) async -> ByteBuffer? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard let message = await next(timeout: deadline - .now) else { return nil }
            if case .binary(let buffer) = message,
                buffer.getString(at: buffer.readerIndex, length: 4) == magic
            {
                return buffer
            }
        }
        return nil
    }

    /// Ends the client and returns how the server closed the connection (nil: no close frame).
    func close() async -> Result<WebSocketCloseFrame?, any Error> {
        outgoing.finish()
        return await task.result
    }

    /// Waits for the server to close the connection, and returns its close frame.
    func closed(timeout: Duration = .seconds(20)) async -> WebSocketCloseFrame? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await next(timeout: deadline - .now) == nil { break }
        }
        outgoing.finish()
        return try? await task.value
    }
}
