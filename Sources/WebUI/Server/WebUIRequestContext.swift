import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The request context of the web UI: Hummingbird's basics, WebSocket upgrades, and the socket itself
/// (the hub closes it outright when a client stops reading).
public struct WebUIRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    /// The connection's channel.
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        channel = source.channel
    }
}
