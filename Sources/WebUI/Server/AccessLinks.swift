/// The links people open to reach the server, as the terminal prints them.
public enum AccessLinks {
    /// URLs for a bind address and port.
    ///
    /// A wildcard bind is reachable at each of the machine's addresses; the first link is the one to
    /// put in the QR code. On the network the links are HTTPS and carry the access token.
    ///
    /// - Parameters:
    ///   - host: the bind address.
    ///   - port: the port actually bound.
    ///   - token: the access token, if one is required.
    ///   - secure: whether the server speaks HTTPS.
    ///   - addresses: the machine's network addresses (for a wildcard bind).
    /// - Returns: at least one URL.
    public static func urls(
        host: String, port: Int, token: AccessToken?, secure: Bool, addresses: [String]
    ) -> [String] {
        let scheme = secure ? "https" : "http"
        let query = token.map { "?token=\($0.value)" } ?? ""
        let hosts: [String]
        switch host {
        case "0.0.0.0", "::", "":
            hosts = addresses.isEmpty ? ["127.0.0.1"] : addresses
        case let literal where literal.contains(":"):
            hosts = ["[\(literal)]"]
        default:
            hosts = [host]
        }
        return hosts.map { "\(scheme)://\($0):\(port)/\(query)" }
    }
}
