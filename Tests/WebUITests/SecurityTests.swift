import Foundation
import NIOCore
import NIOSSL
import TestSupport
import Testing

@testable import WebUI

extension LiveServerTests {
    @Suite struct SecurityTests {
        static let token = try! AccessToken("correct-horse-battery-staple")

        @Test func aNetworkBindNeedsATokenAndTLS() throws {
            let hub = LiveHub(engine: ScriptedSceneEngine())
            #expect(throws: WebUIConfigurationError.self) {
                try buildApplication(WebUIConfiguration(host: "0.0.0.0", port: 0), hub: hub)
            }
            #expect(throws: WebUIConfigurationError.self) {
                try buildApplication(
                    WebUIConfiguration(host: "0.0.0.0", port: 0, token: Self.token), hub: hub)
            }
        }

        @Test func tokensAreRandomAndChecked() throws {
            let a = AccessToken.random()
            let b = AccessToken.random()
            #expect(a != b)
            #expect(a.value.count == 22)
            #expect(a.matches(Substring(a.value)))
            #expect(!a.matches(Substring(b.value)))
            #expect(!a.matches(Substring(a.value.dropLast())))
            #expect(!a.matches(Substring(a.value + "x")))
            #expect(!a.matches(""))
            #expect(throws: AccessTokenError.self) { try AccessToken("short") }
            #expect(throws: AccessTokenError.self) { try AccessToken("has spaces in it, sadly") }
            #expect("\(a)" == "AccessToken(…)")
        }

        @Test func pagesNeedTheTokenOrItsCookie() async throws {
            try await withLiveServer(token: Self.token) { port, _ in
                #expect(try await httpGet(port: port, path: "/").status == 401)
                #expect(try await httpGet(port: port, path: "/app.js").status == 401)
                #expect(try await httpGet(port: port, path: "/?token=wrong-token-wrong-token").status == 401)
                #expect(try await httpGet(port: port, path: "/corpus/frames/1.jpg").status == 401)
                let page = try await httpGet(port: port, path: "/?token=\(Self.token.value)")
                #expect(page.status == 200)
                let cookie = try #require(page.headers["set-cookie"])
                #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
                let pair = String(cookie.split(separator: ";")[0])
                #expect(
                    try await httpGet(port: port, path: "/app.js", headers: ["Cookie": pair]).status == 200)
                #expect(
                    try await httpGet(
                        port: port, path: "/app.js",
                        headers: ["Cookie": "scenophone_token=nope-nope-nope-nope"]
                    )
                    .status == 401)
            }
        }

        @Test func webSocketsNeedTheToken() async throws {
            try await withLiveServer(token: Self.token) { port, hub in
                for path in ["/ws", "/ws?token=", "/ws?token=AAAAAAAAAAAAAAAAAAAAAA"] {
                    let refused = TestWebSocket(port: port, path: path)
                    refused.send(json: ["type": "hello", "role": "camera"])
                    #expect(await refused.next(timeout: .seconds(2)) == nil)
                    let result = await refused.close()
                    #expect(throws: (any Error).self, "\(path) was let in") { try result.get() }
                }
                #expect(hub.clientCount == 0)
                let allowed = try await connectedClient(port: port, path: "/ws?token=\(Self.token.value)")
                _ = await allowed.close()
                // hummingbird-websocket answers every refused upgrade with 400 and closes.
                let raw = try RawTCPClient(port: port)
                await raw.send(RawTCPClient.upgradeRequest(path: "/ws?token=wrong"))
                let answer = await raw.readUntilClosed()
                #expect(String(decoding: answer.bytes, as: UTF8.self).hasPrefix("HTTP/1.1 400"))
                #expect(answer.closed)
            }
        }

        @Test func otherSitesCannotOpenTheWebSocket() async throws {
            try await withLiveServer { port, _ in
                func upgrade(origin: String) async throws -> String {
                    let raw = try RawTCPClient(port: port)
                    let request = RawTCPClient.upgradeRequest(host: "127.0.0.1:\(port)").replacingOccurrences(
                        of: "\r\n\r\n", with: "\r\nOrigin: \(origin)\r\n\r\n")
                    await raw.send(request)
                    return await raw.readHead()
                }
                let foreign = try await upgrade(origin: "https://evil.example")
                let otherPort = try await upgrade(origin: "http://127.0.0.1:\(port + 1)")
                let own = try await upgrade(origin: "http://127.0.0.1:\(port)")
                // A refused upgrade is answered 400 (hummingbird-websocket's answer to every refusal).
                #expect(foreign.hasPrefix("HTTP/1.1 400"))
                #expect(otherPort.hasPrefix("HTTP/1.1 400"))
                #expect(own.hasPrefix("HTTP/1.1 101"))
            }
        }

        @Test func aLoopbackServerOnlyAnswersToLoopbackNames() async throws {
            try await withLiveServer { port, _ in
                for host in ["127.0.0.1:\(port)", "localhost:\(port)", "[::1]:\(port)"] {
                    let response = try await httpGet(port: port, path: "/", host: host)
                    #expect(response.status == 200, "\(host)")
                }
                // A DNS-rebinding page would arrive with its own name.
                let rebound = try await httpGet(port: port, path: "/", host: "attacker.example:\(port)")
                #expect(rebound.status == 403)
            }
        }

        @Test func aSelfSignedCertificateIsMadeOnceAndKept() throws {
            let directory = try TemporaryDirectory("tls")
            let tlsDirectory = directory.file("tls")
            let (first, created) = try TLSIdentity.selfSigned(
                in: tlsDirectory, hostNames: ["scenophone.local"], addresses: ["192.168.1.20"])
            #expect(created)
            let attributes = try FileManager.default.attributesOfItem(
                atPath: tlsDirectory.appendingPathComponent("key.pem").path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            let (second, createdAgain) = try TLSIdentity.selfSigned(
                in: tlsDirectory, hostNames: [], addresses: [])
            #expect(!createdAgain)
            #expect(second.certificatePEM == first.certificatePEM)
            // Close to expiry it is made anew.
            let (third, renewed) = try TLSIdentity.selfSigned(
                in: tlsDirectory, hostNames: [], addresses: [],
                now: Date().addingTimeInterval(819.5 * 24 * 3600))
            #expect(renewed)
            #expect(third.certificatePEM != first.certificatePEM)
            // openssl, an independent reader, agrees on what is in it.
            let text = try run(
                "openssl",
                [
                    "x509", "-noout", "-text", "-in",
                    tlsDirectory.appendingPathComponent("certificate.pem").path,
                ])
            #expect(text.status == 0)
            #expect(text.standardOutput.contains("DNS:localhost"))
            #expect(text.standardOutput.contains("IP Address:127.0.0.1"))
            #expect(text.standardOutput.contains("TLS Web Server Authentication"))
            let fingerprint = try run(
                "openssl",
                [
                    "x509", "-noout", "-fingerprint", "-sha256", "-in",
                    tlsDirectory.appendingPathComponent("certificate.pem").path,
                ])
            #expect(fingerprint.standardOutput.contains(try #require(third.fingerprint)))
        }

        @Test func brokenCertificateFilesAreNamed() throws {
            let directory = try TemporaryDirectory("tls-bad")
            let certificate = directory.file("cert.pem")
            let key = directory.file("key.pem")
            try Data("not a certificate".utf8).write(to: certificate)
            try Data("not a key".utf8).write(to: key)
            #expect {
                try TLSIdentity.load(certificate: certificate, key: key)
            } throws: { error in
                "\(error)".contains(certificate.path)
            }
            #expect {
                try TLSIdentity.load(certificate: directory.file("missing.pem"), key: key)
            } throws: { error in
                "\(error)".contains("missing.pem")
            }
        }

        @Test func theServerSpeaksHTTPSWithItsCertificate() async throws {
            let directory = try TemporaryDirectory("tls-live")
            let (identity, _) = try TLSIdentity.selfSigned(in: directory.url, hostNames: [], addresses: [])
            try await withLiveServer(token: Self.token, tls: identity) { port, _ in
                // The client trusts exactly this certificate, as a phone does once the user accepts it.
                var tls = TLSConfiguration.makeClientConfiguration()
                tls.trustRoots = .certificates(
                    try NIOSSLCertificate.fromPEMBytes(Array(identity.certificatePEM.utf8)))
                let client = TestWebSocket(
                    port: port, path: "/ws?token=\(Self.token.value)", scheme: "wss", tls: tls)
                client.send(json: ["type": "hello", "role": "viewer"])
                #expect(await client.next(type: "welcome") != nil)
                let outcome = await client.close()
                #expect(throws: Never.self) { try outcome.get() }
                // Plain HTTP on the TLS port gets nowhere.
                let raw = try RawTCPClient(port: port)
                await raw.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                let answer = await raw.readUntilClosed()
                #expect(!String(decoding: answer.bytes, as: UTF8.self).contains("Scenophone"))
            }
        }

        @Test func originsCompareByHostAndPort() {
            #expect(AccessPolicy.sameOrigin("http://127.0.0.1:8080", host: "127.0.0.1:8080"))
            #expect(AccessPolicy.sameOrigin("https://phone.local", host: "phone.local:443"))
            #expect(AccessPolicy.sameOrigin("https://[::1]:8443", host: "[::1]:8443"))
            #expect(!AccessPolicy.sameOrigin("http://127.0.0.1:8081", host: "127.0.0.1:8080"))
            #expect(!AccessPolicy.sameOrigin("null", host: "127.0.0.1:8080"))
            #expect(!AccessPolicy.sameOrigin("https://evil.example", host: "127.0.0.1"))
            #expect(!AccessPolicy.sameOrigin("http://127.0.0.1", host: "127.0.0.1:8080"))
            #expect(AccessPolicy.sameOrigin("ws://127.0.0.1", host: "127.0.0.1:8080"))
            #expect(!AccessPolicy.sameOrigin("file://", host: "127.0.0.1:8080"))
        }
    }
}
