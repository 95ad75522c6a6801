import HTTPTypes
import Hummingbird

/// Who may use the server: the access token on a network bind, and same-origin WebSockets always.
///
/// - With a token (any bind beyond loopback), a request must carry it as `?token=` or in the
///   `scenophone_token` cookie; a page request with the right token gets the cookie, so the page's own
///   assets and WebSocket need nothing more.
/// - On a loopback bind the `Host` must be a loopback name, which stops a web page from reaching
///   the server through DNS rebinding.
/// - A WebSocket upgrade that carries an `Origin` must come from the page's own origin, so another
///   site open in the same browser cannot drive the camera or read the state.
public struct AccessPolicy: RouterMiddleware {
    public typealias Context = WebUIRequestContext

    /// The token required, or nil on a loopback bind.
    public let token: AccessToken?
    /// Whether the server listens on loopback only.
    public let loopbackOnly: Bool

    static let cookieName = "scenophone_token"

    public init(token: AccessToken?, loopbackOnly: Bool) {
        self.token = token
        self.loopbackOnly = loopbackOnly
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let host = request.head.authority ?? ""
        if loopbackOnly && !Self.isLoopbackHost(host) {
            return Self.refusal(.forbidden, "this server only answers to localhost, 127.0.0.1 or [::1]")
        }
        if isUpgrade(request),
            request.headers[values: .origin].contains(where: { !Self.sameOrigin($0, host: host) })
        {
            return Self.refusal(.forbidden, "WebSocket connections must come from the Scenophone page itself")
        }
        guard let token else { return try await next(request, context) }

        if let presented = request.uri.queryParameters["token"] {
            guard token.matches(presented) else {
                return Self.refusal(
                    .unauthorized, "wrong access token: open the link printed by `scenophone serve`")
            }
            var response = try await next(request, context)
            if !isUpgrade(request) {
                response.headers[values: .setCookie].append(
                    "\(Self.cookieName)=\(token.value); Path=/; HttpOnly; Secure; SameSite=Strict")
            }
            return response
        }
        if let cookie = Self.cookie(named: Self.cookieName, in: request.headers), token.matches(cookie) {
            return try await next(request, context)
        }
        return Self.refusal(
            .unauthorized,
            "this Scenophone needs its access link: open the URL (or scan the QR code) it printed")
    }

    private func isUpgrade(_ request: Request) -> Bool {
        request.headers[.upgrade]?.lowercased() == "websocket"
    }

    static func isLoopbackHost(_ authority: String) -> Bool {
        let host: Substring
        if authority.hasPrefix("[") {
            host = authority.dropFirst().prefix { $0 != "]" }
        } else {
            host = authority.prefix { $0 != ":" }
        }
        return host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Whether an `Origin` (scheme://host[:port]) names the same host and port as the request.
    ///
    /// Browsers send the page's own `http`/`https` origin, compared here by host and port. Only
    /// non-browser clients send `ws:`/`wss:` origins; they could send anything, so the host suffices.
    static func sameOrigin(_ origin: String, host: String) -> Bool {
        guard let separator = origin.range(of: "://") else { return false }
        let scheme = origin[..<separator.lowerBound].lowercased()
        let (originHost, originPort) = split(origin[separator.upperBound...])
        let (requestHost, requestPort) = split(Substring(host))
        guard originHost.lowercased() == requestHost.lowercased() else { return false }
        switch scheme {
        case "http": return (originPort ?? "80") == (requestPort ?? "80")
        case "https": return (originPort ?? "443") == (requestPort ?? "443")
        case "ws", "wss": return true
        default: return false
        }
    }

    /// Splits `host[:port]` or `[v6]:port`.
    private static func split(_ authority: Substring) -> (host: Substring, port: Substring?) {
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            let rest = authority[authority.index(after: close)...]
            return (authority[...close], rest.hasPrefix(":") ? rest.dropFirst() : nil)
        }
        guard let colon = authority.lastIndex(of: ":") else { return (authority, nil) }
        return (authority[..<colon], authority[authority.index(after: colon)...])
    }

    static func cookie(named name: String, in headers: HTTPFields) -> Substring? {
        for header in headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let trimmed = pair.drop { $0 == " " }
                if trimmed.hasPrefix(name + "=") { return trimmed.dropFirst(name.count + 1) }
            }
        }
        return nil
    }

    private static func refusal(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: "Scenophone: \(message)\n")))
    }
}
