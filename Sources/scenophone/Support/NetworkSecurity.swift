import Foundation
import WebUI

/// What a network bind needs: an access token and a certificate (self-signed unless given).
struct NetworkSecurity {
    let token: AccessToken
    let identity: TLSIdentity
    /// Whether the self-signed certificate was made just now.
    let created: Bool

    /// Where the self-signed certificate is kept: `$XDG_CONFIG_HOME/scenophone/tls`, else
    /// `~/.config/scenophone/tls`.
    static var certificateDirectory: URL {
        let environment = ProcessInfo.processInfo.environment
        let base =
            environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".config")
        return base.appendingPathComponent("scenophone/tls")
    }

    /// Prepares the token and the certificate.
    ///
    /// - Parameters:
    ///   - token: the user's token, or nil for a random one.
    ///   - certificate: a PEM certificate file, or nil for the self-signed one.
    ///   - key: its private key file.
    /// - Throws: `AccessTokenError` or `TLSIdentityError` naming the problem.
    init(token: String?, certificate: String?, key: String?) throws {
        self.token = try token.map(AccessToken.init) ?? .random()
        if let certificate, let key {
            identity = try TLSIdentity.load(
                certificate: URL(fileURLWithPath: certificate), key: URL(fileURLWithPath: key))
            created = false
        } else {
            let host = NetworkInterfaces.hostName()
            (identity, created) = try TLSIdentity.selfSigned(
                in: Self.certificateDirectory, hostNames: host.map { [$0, "\($0).local"] } ?? [],
                addresses: NetworkInterfaces.ipv4Addresses())
        }
    }
}
