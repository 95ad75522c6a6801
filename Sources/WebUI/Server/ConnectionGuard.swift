import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Wraps a server child channel so that a connection which sends garbage, or nothing, is closed.
///
/// Before a request head is parsed, hummingbird-websocket's upgrade pipeline neither answers an
/// HTTP parse error nor times out an idle socket (its idle timeout starts with the first request),
/// so a client sending bytes that are not HTTP, or none at all, would hold a socket for ever. This
/// adds a read-idle timeout at the front and, at the back, closes the connection on a parse error.
/// WebSocket clients are never silent that long: the server pings them three times per timeout and
/// they answer.
struct ConnectionGuardChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    /// How long a connection may send nothing before it is closed.
    let readTimeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: readTimeout))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }.flatMapThrowing { value in
            try channel.pipeline.syncOperations.addHandler(ConnectionGuardHandler(logger: logger))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

/// Closes the connection when it has been silent too long or sent something that is not HTTP.
final class ConnectionGuardHandler: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = NIOAny
    let logger: Logger

    init(logger: Logger) { self.logger = logger }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            logger.info("closing a connection that sent nothing for too long")
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError {
            logger.info("closing a connection that sent something other than HTTP: \(error)")
            context.close(promise: nil)
            return
        }
        context.fireErrorCaught(error)
    }
}
