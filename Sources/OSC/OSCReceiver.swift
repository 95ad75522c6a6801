import NIOCore
import NIOPosix

/// Listens for OSC over UDP and hands each message to a handler.
///
/// Packets that are malformed, truncated or too large are counted and dropped; nothing a sender
/// does can stop the receiver (or the sound: the handler runs on the receiver's event loop, never
/// on the audio thread).
public final class OSCReceiver: Sendable {
    /// The largest packet handled; a controller's messages are a few dozen bytes.
    public static let maximumPacketSize = 8192

    /// The UDP port it listens on (the one asked for, or the one picked for port 0).
    public let port: Int
    /// What it has received.
    public let counters: OSCCounters
    private let channel: any Channel

    private init(port: Int, counters: OSCCounters, channel: any Channel) {
        self.port = port
        self.counters = counters
        self.channel = channel
    }

    /// Starts listening.
    ///
    /// - Parameters:
    ///   - host: the address to bind: `127.0.0.1` (this machine) or `0.0.0.0` (the network).
    ///   - port: the UDP port (0 picks a free one).
    ///   - handler: called with each message; returns nil when it was applied, or why it was refused.
    /// - Returns: the running receiver.
    /// - Throws: when the port cannot be bound.
    public static func start(
        host: String, port: Int, handler: @escaping @Sendable (OSCMessage) -> String?
    ) async throws -> OSCReceiver {
        let counters = OSCCounters()
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            // Room for any datagram, so that an oversized one is seen whole and counted, not cut.
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        PacketHandler(counters: counters, handler: handler))
                }
            }
            .bind(host: host, port: port).get()
        return OSCReceiver(port: channel.localAddress?.port ?? port, counters: counters, channel: channel)
    }

    /// Stops listening.
    public func stop() async {
        try? await channel.close()
    }

    private final class PacketHandler: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let counters: OSCCounters
        let handler: @Sendable (OSCMessage) -> String?

        init(counters: OSCCounters, handler: @escaping @Sendable (OSCMessage) -> String?) {
            self.counters = counters
            self.handler = handler
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            let bytes = envelope.data.readableBytesView
            counters.count { $0.packets += 1 }
            guard bytes.count <= OSCReceiver.maximumPacketSize else {
                counters.count { $0.oversized += 1 }
                return
            }
            let messages: [OSCMessage]
            do {
                messages = try OSCMessage.decodePacket(bytes)
            } catch {
                counters.count { $0.malformed += 1 }
                return
            }
            for message in messages {
                let refusal = handler(message)
                counters.count { refusal == nil ? ($0.applied += 1) : ($0.refused += 1) }
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            // A socket error (an ICMP "port unreachable" echo, say) ends nothing: keep listening.
        }
    }
}
