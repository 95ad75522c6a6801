import Crypto
import Foundation
import HummingbirdTLS
import SwiftASN1
import X509

/// The certificate and private key the server presents over HTTPS.
///
/// Phones only open the camera on a secure page, so a server on the local network needs HTTPS even
/// without a certificate authority. By default Scenophone makes a self-signed certificate on first
/// run, keeps it (so a phone that accepted it once is not asked again) and remakes it only when it
/// expires; users who have a real certificate pass it instead.
public struct TLSIdentity: Sendable {
    /// The certificate chain, PEM.
    public let certificatePEM: String
    /// The private key, PEM.
    public let privateKeyPEM: String
    /// Where it came from, for messages.
    public let origin: URL

    /// Reads a user-provided certificate and key.
    ///
    /// - Parameters:
    ///   - certificate: a PEM file holding the certificate (and any chain after it).
    ///   - key: a PEM file holding its private key.
    /// - Throws: `TLSIdentityError` naming the file that is missing or unreadable.
    public static func load(certificate: URL, key: URL) throws -> TLSIdentity {
        let identity = TLSIdentity(
            certificatePEM: try read(certificate), privateKeyPEM: try read(key), origin: certificate)
        _ = try identity.tlsConfiguration(certificateFile: certificate, keyFile: key)
        return identity
    }

    /// Loads the self-signed certificate kept in a directory, making a new one if there is none or it
    /// has expired.
    ///
    /// - Parameters:
    ///   - directory: where `certificate.pem` and `key.pem` live (created with owner-only access).
    ///   - hostNames: DNS names to put in the certificate besides `localhost`.
    ///   - addresses: IPv4 addresses (dotted quads) to put in the certificate besides 127.0.0.1.
    ///   - now: the current time, for expiry.
    /// - Returns: the identity and whether it was just made.
    /// - Throws: `TLSIdentityError` when the directory cannot be written or the files are damaged.
    public static func selfSigned(
        in directory: URL, hostNames: [String], addresses: [String], now: Date = Date()
    ) throws -> (identity: TLSIdentity, created: Bool) {
        let certificateFile = directory.appendingPathComponent("certificate.pem")
        let keyFile = directory.appendingPathComponent("key.pem")
        if FileManager.default.fileExists(atPath: certificateFile.path) {
            let existing = try load(certificate: certificateFile, key: keyFile)
            let certificate = try Certificate(pemEncoded: existing.certificatePEM)
            if certificate.notValidAfter > now.addingTimeInterval(24 * 3600) {
                return (existing, false)
            }
        }
        let key = P256.Signing.PrivateKey()
        let privateKey = Certificate.PrivateKey(key)
        let name = try DistinguishedName {
            OrganizationName("Scenophone")
            CommonName("Scenophone on this network")
        }
        var alternativeNames: [GeneralName] = [.dnsName("localhost")] + hostNames.map { .dnsName($0) }
        for address in ["127.0.0.1"] + addresses {
            if let bytes = ipv4Bytes(address) {
                alternativeNames.append(.ipAddress(ASN1OctetString(contentBytes: bytes[...])))
            }
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: privateKey.publicKey,
            notValidBefore: now.addingTimeInterval(-3600),
            // Within the 825 days browsers accept for a certificate a user has chosen to trust.
            notValidAfter: now.addingTimeInterval(820 * 24 * 3600),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            // Its own root (a CA limited to itself), so a phone can install and trust it once instead of
            // clicking through a warning each time: iOS only offers full trust to root certificates.
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(alternativeNames)
            },
            issuerPrivateKey: privateKey)
        let identity = TLSIdentity(
            certificatePEM: try certificate.serializeAsPEM().pemString,
            privateKeyPEM: try privateKey.serializeAsPEM().pemString,
            origin: certificateFile)
        do {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try writePrivately(identity.privateKeyPEM, to: keyFile)
            try writePrivately(identity.certificatePEM, to: certificateFile)
        } catch {
            throw TLSIdentityError.unwritable(directory, "\(error)")
        }
        return (identity, true)
    }

    /// The SHA-256 fingerprint of the (first) certificate, as browsers show it: `AB:CD:…`.
    public var fingerprint: String? {
        guard let document = try? PEMDocument(pemString: certificatePEM) else { return nil }
        return SHA256.hash(data: document.derBytes).map { String(format: "%02X", $0) }.joined(separator: ":")
    }

    /// The NIOSSL server configuration presenting this identity.
    ///
    /// - Returns: a TLS 1.2+ server configuration.
    /// - Throws: `TLSIdentityError.invalid` when the PEM does not parse.
    public func tlsConfiguration() throws -> TLSConfiguration {
        try tlsConfiguration(certificateFile: origin, keyFile: origin)
    }

    private func tlsConfiguration(certificateFile: URL, keyFile: URL) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8))
        } catch {
            throw TLSIdentityError.invalid(certificateFile, "not a PEM certificate (\(error))")
        }
        guard !chain.isEmpty else { throw TLSIdentityError.invalid(certificateFile, "holds no certificate") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem)
        } catch {
            throw TLSIdentityError.invalid(keyFile, "not a PEM private key (\(error))")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }

    private static func read(_ url: URL) throws -> String {
        do {
            return try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw TLSIdentityError.unreadable(url, "\(error.localizedDescription)")
        }
    }

    /// Writes a file readable by its owner only, atomically.
    private static func writePrivately(_ text: String, to url: URL) throws {
        let partial = url.appendingPathExtension("partial")
        guard
            FileManager.default.createFile(
                atPath: partial.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: partial.path]) }
        guard rename(partial.path, url.path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
    }

    private static func ipv4Bytes(_ address: String) -> [UInt8]? {
        let parts = address.split(separator: ".")
        guard parts.count == 4 else { return nil }
        let bytes = parts.compactMap { UInt8($0) }
        return bytes.count == 4 ? bytes : nil
    }
}

/// Why the server's certificate could not be used.
public enum TLSIdentityError: Error, CustomStringConvertible {
    case unreadable(URL, String)
    case invalid(URL, String)
    case unwritable(URL, String)

    public var description: String {
        switch self {
        case .unreadable(let url, let reason): "cannot read \(url.path): \(reason)"
        case .invalid(let url, let reason): "\(url.path): \(reason)"
        case .unwritable(let url, let reason):
            "cannot store the self-signed certificate in \(url.path): \(reason)"
        }
    }
}
