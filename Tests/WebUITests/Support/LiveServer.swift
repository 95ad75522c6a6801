import AudioOutput
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import WebUI

/// Runs the web UI on a free local port for the duration of `body`.
///
/// - Parameters:
///   - engine: the engine behind the hub; a scripted one by default.
///   - token: an access token to require (as on a network bind).
///   - tls: a certificate to serve HTTPS with.
///   - silenceTimeout: how long a connection may send nothing.
///   - hubConfiguration: rates and limits.
///   - audioRing: audio to stream to listening pages (stereo).
///   - body: the test, given the port and the hub.
func withLiveServer<Value: Sendable>(
    engine: any SceneEngine = ScriptedSceneEngine(), token: AccessToken? = nil, tls: TLSIdentity? = nil,
    silenceTimeout: Duration = .seconds(45), hubConfiguration: LiveHubConfiguration = .init(),
    audioRing: SampleRing? = nil,
    _ body: @Sendable @escaping (_ port: Int, _ hub: LiveHub) async throws -> Value
) async throws -> Value {
    var logger = Logger(label: "test-server")
    logger.logLevel = .critical
    let hub = LiveHub(engine: engine, configuration: hubConfiguration, audioRing: audioRing, logger: logger)
    // Tests bind loopback, but a token or TLS makes the server behave as it does on the network.
    let configuration = WebUIConfiguration(
        host: "127.0.0.1", port: 0, token: token, tls: tls, silenceTimeout: silenceTimeout)
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    let app = try buildApplication(configuration, hub: hub, logger: logger) { port in
        portContinuation.yield(port)
    }
    let services = ServiceGroup(configuration: .init(services: [app], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await services.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw TestFailure("the server did not start") }
        do {
            let value = try await body(port, hub)
            await services.triggerGracefulShutdown()
            return value
        } catch {
            await services.triggerGracefulShutdown()
            throw error
        }
    }
}

/// A camera frame message of the given side, every pixel the same colour.
func cameraFrame(side: Int = 224, red: UInt8 = 10, sequence: UInt32 = 0) -> ByteBuffer {
    var pixels = [UInt8](repeating: 128, count: side * side * 3)
    for i in stride(from: 0, to: pixels.count, by: 3) { pixels[i] = red }
    return CameraFrameMessage(sequence: sequence, width: side, height: side, captureTime: 1.5, pixels: pixels)
        .encoded()
}

/// Connects and says hello; returns the client once the welcome has arrived.
func connectedClient(
    port: Int, role: String = "viewer", listen: Bool = false, path: String = "/ws"
) async throws -> TestWebSocket {
    let client = TestWebSocket(port: port, path: path)
    client.send(json: ["type": "hello", "role": role, "listen": listen])
    guard await client.next(type: "welcome") != nil else { throw TestFailure("no welcome after hello") }
    return client
}

/// A failure with a message, for helpers that cannot use `#expect`.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A camera frame message made from a picture as the page would make it: the centre square,
/// scaled to the network's input (nearest neighbour here; the page's canvas smooths).
func cameraFrame(from pixels: [UInt8], width: Int, height: Int, side: Int = 224, sequence: UInt32 = 0)
    -> ByteBuffer
{
    let crop = min(width, height)
    let left = (width - crop) / 2
    let top = (height - crop) / 2
    var scaled = [UInt8](repeating: 0, count: side * side * 3)
    for y in 0..<side {
        let sourceY = top + y * crop / side
        for x in 0..<side {
            let sourceX = left + x * crop / side
            for channel in 0..<3 {
                scaled[(y * side + x) * 3 + channel] = pixels[(sourceY * width + sourceX) * 3 + channel]
            }
        }
    }
    return CameraFrameMessage(sequence: sequence, width: side, height: side, pixels: scaled).encoded()
}
