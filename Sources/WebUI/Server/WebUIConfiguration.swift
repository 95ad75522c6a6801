/// Where and how the web UI listens.
public struct WebUIConfiguration: Sendable {
    /// The address to bind; 127.0.0.1 unless the user asks for the network.
    public var host: String
    public var port: Int
    /// Required on a network bind; nil on loopback.
    public var token: AccessToken?
    /// HTTPS when set (always on a network bind, since phones only open the camera on secure pages).
    public var tls: TLSIdentity?
    /// Idle HTTP connections are closed after this long (a client that opens a socket and sends
    /// nothing, or half a request, does not hold it for ever).
    public var idleTimeout: Duration
    /// A connection that sends nothing for this long is closed, whatever state it is in (garbage or
    /// silence before a request; a dead peer on a WebSocket). The server pings WebSocket clients three
    /// times per period, so live pages always answer in time.
    public var silenceTimeout: Duration

    /// Creates a configuration.
    ///
    /// - Parameters:
    ///   - host: address to bind.
    ///   - port: TCP port (0 picks a free one).
    ///   - token: access token required from clients, or nil.
    ///   - tls: certificate for HTTPS, or nil for plain HTTP.
    ///   - idleTimeout: how long an idle HTTP connection may stay open.
    ///   - silenceTimeout: how long any connection may send nothing at all.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, token: AccessToken? = nil, tls: TLSIdentity? = nil,
        idleTimeout: Duration = .seconds(30), silenceTimeout: Duration = .seconds(45)
    ) {
        self.host = host
        self.port = port
        self.token = token
        self.tls = tls
        self.idleTimeout = idleTimeout
        self.silenceTimeout = silenceTimeout
    }

    /// Whether the bind address is a loopback address, reachable from this machine only.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
