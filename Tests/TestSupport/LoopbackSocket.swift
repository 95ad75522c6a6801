import Foundation
import Glibc

/// A blocking TCP connection to a test server on 127.0.0.1, for clients that speak raw bytes.
public enum LoopbackSocket {
    /// Connects to `127.0.0.1:port`.
    ///
    /// - Parameters:
    ///   - port: the server's port.
    ///   - receiveTimeout: how long a read may block before it fails.
    ///   - receiveBuffer: a small receive buffer (bytes) makes a client that never reads fill up fast.
    /// - Returns: the connected socket; the caller closes it.
    /// - Throws: `TestSupportError` when nothing accepts the connection.
    public static func connect(port: Int, receiveTimeout: Int = 60, receiveBuffer: Int? = nil) throws -> Int32
    {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestSupportError("cannot create a socket (errno \(errno))") }
        if var size = receiveBuffer.map(Int32.init) {
            setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var timeout = timeval(tv_sec: receiveTimeout, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(descriptor)
            throw TestSupportError("cannot connect to 127.0.0.1:\(port)")
        }
        return descriptor
    }
}
