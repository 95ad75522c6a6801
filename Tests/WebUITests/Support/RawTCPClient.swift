import Foundation
import Glibc
import TestSupport

/// A bare TCP socket for the hostile-client tests: it sends whatever bytes it is given, may refuse
/// to read, and can reset the connection abruptly.
///
/// Socket calls block, so every operation runs on a Dispatch thread: blocking one of the few
/// threads of Swift's cooperative pool (two on this machine) would stall the server under test.
final class RawTCPClient: @unchecked Sendable {
    private let descriptor: Int32

    /// Connects to 127.0.0.1.
    ///
    /// - Parameters:
    ///   - port: the server's port.
    ///   - receiveBuffer: a small receive buffer (bytes) makes a client that never reads fill up fast.
    init(port: Int, receiveBuffer: Int? = nil) throws {
        descriptor = try LoopbackSocket.connect(port: port, receiveTimeout: 5, receiveBuffer: receiveBuffer)
    }

    deinit { close(descriptor) }

    /// Sends all the bytes (or as many as the peer accepts before it closes).
    @discardableResult
    func send(_ bytes: [UInt8]) async -> Int {
        await offThePool { self.sendNow(bytes) }
    }

    func send(_ text: String) async { await send(Array(text.utf8)) }

    /// Reads until the peer closes or the timeout passes.
    ///
    /// - Returns: the bytes read and whether the peer closed the connection.
    func readUntilClosed(timeout: Double = 5) async -> (bytes: [UInt8], closed: Bool) {
        await offThePool { self.readUntilClosedNow(timeout: timeout) }
    }

    /// Reads until `predicate` holds for what has arrived, the peer closes, or the timeout passes.
    func read(timeout: Double = 2, until predicate: @escaping @Sendable ([UInt8]) -> Bool) async -> [UInt8] {
        await offThePool { self.readNow(timeout: timeout, until: predicate) }
    }

    /// Reads the HTTP response head (through the blank line).
    func readHead() async -> String {
        String(
            decoding: await read { String(decoding: $0, as: UTF8.self).contains("\r\n\r\n") }, as: UTF8.self)
    }

    private func offThePool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: body()) }
        }
    }

    private func sendNow(_ bytes: [UInt8]) -> Int {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if n <= 0 { break }
            sent += n
        }
        return sent
    }

    private func readUntilClosedNow(timeout: Double) -> (bytes: [UInt8], closed: Bool) {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let n = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if n == 0 { return (result, true) }
            if n < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }
                return (result, true)  // reset by the peer
            }
            result += chunk[0..<n]
        }
        return (result, false)
    }

    private func readNow(timeout: Double, until predicate: ([UInt8]) -> Bool) -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline && !predicate(result) {
            let n = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            result += chunk[0..<n]
        }
        return result
    }

    /// Closes with a TCP reset instead of an orderly shutdown.
    func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        shutdown(descriptor, Int32(SHUT_RDWR))
    }

    /// The HTTP request that upgrades to a WebSocket.
    static func upgradeRequest(path: String = "/ws", host: String = "127.0.0.1") -> String {
        "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    }

    /// A masked client-to-server WebSocket frame.
    static func frame(opcode: UInt8, payload: [UInt8], fin: Bool = true) -> [UInt8] {
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        switch payload.count {
        case ..<126: bytes.append(0x80 | UInt8(payload.count))
        case ..<65536: bytes += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        default:
            bytes.append(0x80 | 127)
            for shift in stride(from: 56, through: 0, by: -8) {
                bytes.append(UInt8((payload.count >> shift) & 0xFF))
            }
        }
        bytes += mask
        for (i, byte) in payload.enumerated() { bytes.append(byte ^ mask[i % 4]) }
        return bytes
    }
}
