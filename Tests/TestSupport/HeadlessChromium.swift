import Foundation
import Glibc
import MediaIO

/// Headless Chromium driven over the Chrome DevTools Protocol, for the web UI's browser tests.
///
/// It starts Debian's `chromium` with a fake camera that plays a `.y4m` file, opens one page, and
/// speaks CDP over the page's debugging WebSocket (a minimal client here, so the test helpers need
/// no networking library): evaluate JavaScript, take screenshots.
///
/// Every call blocks on a socket or a sleep, so the async entry points (`launch`, `run`) move the
/// work to a Dispatch thread: blocking one of the cooperative pool's few threads would starve the
/// server the browser is talking to, when it runs in the same process.
public final class HeadlessChromium: @unchecked Sendable {
    private let process: ChildProcess
    private let profile: TemporaryDirectory
    private let socket: Int32
    private var nextID = 1
    private var pending: [UInt8] = []

    /// Launches the browser on a page.
    ///
    /// - Parameters:
    ///   - url: the page to open.
    ///   - fakeCamera: a Y4M video the fake camera plays in a loop.
    ///   - windowSize: the viewport, in CSS pixels.
    /// - Throws: `TestSupportError` when Chromium is missing or does not come up.
    public init(url: String, fakeCamera: URL, windowSize: (width: Int, height: Int) = (1440, 1000)) throws {
        guard
            let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: {
                FileManager.default.isExecutableFile(atPath: $0)
            })
        else {
            throw TestSupportError("chromium is not installed: run scripts/setup --tests")
        }
        profile = try TemporaryDirectory("chromium")
        // Its stdout is swallowed (collected, never read) and its stderr kept only to its last 16 KiB.
        process = try ChildProcess(
            executable: chromium,
            arguments: [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking", "--disable-component-update",
                "--disable-dev-shm-usage", "--user-data-dir=\(profile.url.path)", "--remote-debugging-port=0",
                "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                "--use-file-for-fake-video-capture=\(fakeCamera.path)",
                "--autoplay-policy=no-user-gesture-required",
                "--ignore-certificate-errors", "--window-size=\(windowSize.width),\(windowSize.height)",
                "--hide-scrollbars", url,
            ], outputDescriptors: [], collectsOutput: true)

        // Chromium writes its debugging port to DevToolsActivePort once it listens.
        let portFile = profile.file("DevToolsActivePort")
        var port: Int?
        let deadline = Date().addingTimeInterval(30)
        while port == nil && Date() < deadline {
            if let text = try? String(contentsOf: portFile, encoding: .utf8),
                let line = text.split(separator: "\n").first
            {
                port = Int(line)
            }
            if port == nil { usleep(50_000) }
        }
        guard let port else {
            process.terminate()
            throw TestSupportError("chromium did not open its debugging port within 30 s")
        }
        // The page target's WebSocket path, from the HTTP endpoint.
        var target: String?
        while target == nil && Date() < deadline {
            if let list = try? Self.httpGet(port: port, path: "/json/list"),
                let targets = try? JSONSerialization.jsonObject(with: Data(list.utf8)) as? [[String: Any]],
                let page = targets.first(where: { $0["type"] as? String == "page" }),
                let debugger = page["webSocketDebuggerUrl"] as? String, let path = URL(string: debugger)?.path
            {
                target = path
            } else {
                usleep(50_000)
            }
        }
        guard let target else {
            process.terminate()
            throw TestSupportError("chromium did not list its page")
        }
        socket = try LoopbackSocket.connect(port: port)
        let key = "c2Nlbm9waG9uZS10ZXN0cw=="
        try Self.sendAll(
            socket,
            Array(
                ("GET \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n\r\n").utf8))
        let head = try readHead()
        guard head.hasPrefix("HTTP/1.1 101") else {
            throw TestSupportError("chromium refused the DevTools WebSocket: \(head.prefix(80))")
        }
    }

    /// Launches the browser off the cooperative thread pool (see the type's notes).
    ///
    /// - Parameters:
    ///   - url: the page to open.
    ///   - fakeCamera: a Y4M video the fake camera plays in a loop.
    /// - Returns: the running browser.
    /// - Throws: `TestSupportError` when Chromium is missing or does not come up.
    public static func launch(url: String, fakeCamera: URL) async throws -> HeadlessChromium {
        try await offThePool { try HeadlessChromium(url: url, fakeCamera: fakeCamera) }
    }

    /// Runs blocking calls on this browser off the cooperative thread pool.
    ///
    /// - Parameter body: what to do with the browser (`evaluate`, `waitUntil`, `screenshot`).
    /// - Returns: what `body` returns.
    public func run<T: Sendable>(_ body: @escaping @Sendable (HeadlessChromium) throws -> T) async throws -> T
    {
        try await Self.offThePool { try body(self) }
    }

    private static func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T
    {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    deinit {
        close(socket)
        process.send(SIGTERM)
        process.wait()
    }

    /// Evaluates a JavaScript expression in the page and returns its value (JSON-compatible).
    ///
    /// - Parameter expression: the expression; promises are awaited.
    /// - Returns: the value, or nil for `undefined`.
    /// - Throws: when the page throws or the browser goes away.
    public func evaluate(_ expression: String) throws -> Any? {
        let result = try call(
            "Runtime.evaluate",
            ["expression": expression, "returnByValue": true, "awaitPromise": true, "userGesture": true])
        if let exception = result["exceptionDetails"] as? [String: Any] {
            throw TestSupportError(
                "the page threw: \(exception["text"] ?? "") \(exception["exception"] ?? "")")
        }
        return (result["result"] as? [String: Any])?["value"]
    }

    /// Evaluates an expression off the cooperative pool and returns its value as JSON.
    ///
    /// - Parameter expression: the expression (its value must survive `JSON.stringify`).
    /// - Returns: the parsed value (`[String: Any]`, `[Any]`, a number…), or nil for null/undefined.
    /// - Throws: when the page throws or the browser goes away.
    public func value(of expression: String) async throws -> Any? {
        let text = try await run { try $0.evaluate("JSON.stringify(\(expression))") as? String }
        guard let text else { return nil }
        return try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    /// Polls an expression until it is truthy.
    ///
    /// - Returns: whether it became true before the timeout.
    public func waitUntil(_ expression: String, timeout: TimeInterval) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try evaluate("Boolean(\(expression))") as? Bool == true { return true }
            usleep(100_000)
        }
        return false
    }

    /// Saves a PNG screenshot of the page.
    public func screenshot(to url: URL) throws {
        let result = try call("Page.captureScreenshot", ["format": "png"])
        guard let encoded = result["data"] as? String, let data = Data(base64Encoded: encoded) else {
            throw TestSupportError("chromium returned no screenshot")
        }
        try data.write(to: url)
    }

    /// Sends a CDP command and waits for its reply, skipping events.
    public func call(_ method: String, _ parameters: [String: Any] = [:]) throws -> [String: Any] {
        let id = nextID
        nextID += 1
        let message = try JSONSerialization.data(withJSONObject: [
            "id": id, "method": method, "params": parameters,
        ])
        try Self.sendAll(socket, Self.maskedFrame(Array(message)))
        while true {
            let text = try readMessage()
            guard let object = try JSONSerialization.jsonObject(with: Data(text)) as? [String: Any] else {
                continue
            }
            guard object["id"] as? Int == id else { continue }
            if let error = object["error"] as? [String: Any] {
                throw TestSupportError("\(method) failed: \(error["message"] ?? error)")
            }
            return object["result"] as? [String: Any] ?? [:]
        }
    }

    // MARK: The minimal WebSocket client

    private func readMessage() throws -> [UInt8] {
        var message: [UInt8] = []
        while true {
            let header = try read(2)
            let opcode = header[0] & 0x0F
            let fin = header[0] & 0x80 != 0
            var length = Int(header[1] & 0x7F)
            if length == 126 {
                let extended = try read(2)
                length = Int(extended[0]) << 8 | Int(extended[1])
            } else if length == 127 {
                length = try read(8).reduce(0) { $0 << 8 | Int($1) }
            }
            let payload = try read(length)
            if opcode == 0x8 { throw TestSupportError("chromium closed the DevTools connection") }
            if opcode == 0x9 || opcode == 0xA { continue }
            message += payload
            if fin { return message }
        }
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let n = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw TestSupportError("the DevTools connection ended") }
        pending += chunk[0..<n]
    }

    private func read(_ count: Int) throws -> [UInt8] {
        while pending.count < count { try fill() }
        let result = Array(pending[0..<count])
        pending.removeFirst(count)
        return result
    }

    private func readHead() throws -> String {
        while true {
            if pending.count >= 4,
                let end = (0...(pending.count - 4)).first(where: {
                    pending[$0] == 13 && pending[$0 + 1] == 10 && pending[$0 + 2] == 13
                        && pending[$0 + 3] == 10
                })
            {
                let head = String(decoding: pending[0..<end], as: UTF8.self)
                pending.removeFirst(end + 4)
                return head
            }
            try fill()
        }
    }

    private static func maskedFrame(_ payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0x81]
        if payload.count < 126 {
            bytes.append(0x80 | UInt8(payload.count))
        } else if payload.count < 65536 {
            bytes += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            bytes.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) {
                bytes.append(UInt8((payload.count >> shift) & 0xFF))
            }
        }
        let mask: [UInt8] = [0x5C, 0xE7, 0x0F, 0x07]
        bytes += mask
        for (i, byte) in payload.enumerated() { bytes.append(byte ^ mask[i & 3]) }
        return bytes
    }

    private static func sendAll(_ descriptor: Int32, _ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes {
                send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard n > 0 else { throw TestSupportError("the DevTools connection ended") }
            sent += n
        }
    }

    private static func httpGet(port: Int, path: String) throws -> String {
        let descriptor = try LoopbackSocket.connect(port: port)
        defer { close(descriptor) }
        try sendAll(
            descriptor,
            Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n".utf8))
        // DevTools keeps the connection open: read the head, then exactly Content-Length bytes.
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            response += chunk[0..<n]
            let text = String(decoding: response, as: UTF8.self)
            guard let end = text.range(of: "\r\n\r\n") else { continue }
            let length = text[..<end.lowerBound].split(separator: "\r\n")
                .first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) }
            if let length, text.utf8.count - text[..<end.upperBound].utf8.count >= length { break }
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let body = text.range(of: "\r\n\r\n") else {
            throw TestSupportError("bad DevTools HTTP answer")
        }
        return String(text[body.upperBound...])
    }
}
