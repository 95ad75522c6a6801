import NIOCore
import NIOPosix

/// Sends OSC messages over UDP to one destination.
public final class OSCSender: Sendable {
    /// Where the messages go.
    public let destination: SocketAddress
    private let channel: any Channel

    private init(destination: SocketAddress, channel: any Channel) {
        self.destination = destination
        self.channel = channel
    }

    /// Opens a UDP socket towards `host:port`.
    ///
    /// - Parameters:
    ///   - host: the receiver's address (a name or a numeric address).
    ///   - port: its UDP port.
    /// - Returns: the sender.
    /// - Throws: when the address cannot be resolved or no socket can be opened.
    public static func connect(host: String, port: Int) async throws -> OSCSender {
        let destination = try SocketAddress.makeAddressResolvingHost(host, port: port)
        let bindHost = destination.protocol == .inet6 ? "::" : "0.0.0.0"
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: bindHost, port: 0).get()
        return OSCSender(destination: destination, channel: channel)
    }

    /// Sends messages, one datagram each; a message that cannot be sent (nobody listening) is lost,
    /// as UDP would lose it.
    ///
    /// - Parameter messages: the messages.
    public func send(_ messages: [OSCMessage]) {
        for message in messages {
            let buffer = channel.allocator.buffer(bytes: message.encoded())
            channel.write(AddressedEnvelope(remoteAddress: destination, data: buffer), promise: nil)
        }
        channel.flush()
    }

    /// Closes the socket.
    public func close() async {
        try? await channel.close()
    }
}
