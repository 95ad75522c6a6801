import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOCore

/// Builds the web UI: the page, corpus thumbnails, and the WebSocket that carries camera frames,
/// state and audio, all behind the access policy.
///
/// - Parameters:
///   - configuration: bind address, token and certificate.
///   - hub: the live hub (it runs as one of the application's services).
///   - assets: the page's files; the bundled ones by default.
///   - logger: the server's logger.
///   - onServerRunning: called with the port once the server listens (useful with port 0).
/// - Returns: the application, ready to `runService()` or to be driven by tests.
/// - Throws: `WebUIConfigurationError` for an unsafe combination, or when the page or the certificate
///   cannot be loaded.
public func buildApplication(
    _ configuration: WebUIConfiguration, hub: LiveHub, assets: StaticAssets? = nil,
    logger: Logger = Logger(label: "scenophone.web"),
    onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
) throws -> some ApplicationProtocol {
    if !configuration.isLoopback && configuration.token == nil {
        throw WebUIConfigurationError.networkBindWithoutToken(configuration.host)
    }
    if !configuration.isLoopback && configuration.tls == nil {
        throw WebUIConfigurationError.networkBindWithoutTLS(configuration.host)
    }
    let assets = try assets ?? StaticAssets()
    let policy = AccessPolicy(token: configuration.token, loopbackOnly: configuration.isLoopback)

    let router = Router(context: WebUIRequestContext.self)
    router.add(middleware: policy)
    router.get("/") { _, _ in assets.response(for: "index.html") ?? Response(status: .notFound) }
    router.get("/:file") { _, context in
        let name = context.parameters.get("file") ?? ""
        guard name != "index.html", let response = assets.response(for: name) else {
            throw HTTPError(.notFound)
        }
        return response
    }
    router.get("/corpus/frames/:name") { _, context in
        let name = context.parameters.get("name") ?? ""
        guard name.hasSuffix(".jpg"), let index = Int(name.dropLast(4)),
            let jpeg = hub.engine.thumbnail(ofFrame: index)
        else { throw HTTPError(.notFound) }
        return Response(
            status: .ok, headers: [.contentType: "image/jpeg", .cacheControl: "private, max-age=3600"],
            body: .init(byteBuffer: ByteBuffer(bytes: jpeg)))
    }

    let webSocketRouter = Router(context: WebUIRequestContext.self)
    webSocketRouter.add(middleware: policy)
    webSocketRouter.ws("/ws") { inbound, outbound, context in
        try await hub.serve(inbound: inbound, outbound: outbound, channel: context.requestContext.channel)
    }

    let webSocketResponder = webSocketRouter.buildResponder()
    let upgradeConfiguration = HTTP1WebSocketUpgradeChannel.Configuration(
        http1: .init(idleTimeout: TimeAmount.seconds(configuration.idleTimeout.components.seconds)),
        ws: .init(
            maxFrameSize: WebUILimits.maximumMessageSize,
            autoPing: .enabled(timePeriod: configuration.silenceTimeout / 3)))
    let tlsConfiguration = try configuration.tls?.tlsConfiguration()
    let readTimeout = TimeAmount.milliseconds(
        configuration.silenceTimeout.components.seconds * 1000
            + configuration.silenceTimeout.components.attoseconds / 1_000_000_000_000_000)
    let server = HTTPServerBuilder { responder in
        let guarded = ConnectionGuardChannel(
            base: HTTP1WebSocketUpgradeChannel(
                responder: responder, webSocketResponder: webSocketResponder,
                configuration: upgradeConfiguration),
            readTimeout: readTimeout)
        guard let tlsConfiguration else { return guarded }
        return try TLSChannel(guarded, tlsConfiguration: tlsConfiguration)
    }
    return Application(
        router: router,
        server: server,
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port), serverName: "Scenophone"),
        services: [hub],
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port)
        },
        logger: logger)
}

/// A server configuration Scenophone refuses to run.
public enum WebUIConfigurationError: Error, CustomStringConvertible {
    case networkBindWithoutToken(String)
    case networkBindWithoutTLS(String)

    public var description: String {
        switch self {
        case .networkBindWithoutToken(let host):
            "binding to \(host) makes the camera and sound reachable from the network; an access token is required"
        case .networkBindWithoutTLS(let host):
            "binding to \(host) needs HTTPS: phones only open the camera on secure pages"
        }
    }
}
