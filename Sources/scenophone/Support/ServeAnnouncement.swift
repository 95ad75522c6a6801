import AudioOutput
import Corpus
import Foundation
import WebUI

/// What `scenophone serve` prints once it listens: where to open it, as text and a QR code.
struct ServeAnnouncement: Sendable {
    let corpusName: String
    let sourceCount: Int
    let frameCount: Int
    let sinkName: String
    let host: String
    let token: AccessToken?
    let secure: Bool
    let certificatePath: String?
    let certificateCreated: Bool
    let fingerprint: String?
    let json: Bool

    init(corpus: Corpus, sink: any AudioSink, host: String, security: NetworkSecurity?, json: Bool) {
        corpusName = corpus.url.lastPathComponent
        sourceCount = corpus.sources.count
        frameCount = corpus.frameCount
        sinkName = sink.name
        self.host = host
        token = security?.token
        secure = security != nil
        certificatePath = security?.identity.origin.path
        certificateCreated = security?.created ?? false
        fingerprint = security?.identity.fingerprint
        self.json = json
    }

    /// Prints the announcement for the port actually bound.
    func print(port: Int) {
        let urls = AccessLinks.urls(
            host: host, port: port, token: token, secure: secure, addresses: NetworkInterfaces.ipv4Addresses()
        )
        if json {
            let object: [String: Any] = ["port": port, "urls": urls, "secure": secure]
            if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
                // Unbuffered, so a script reading the pipe sees the line at once.
                FileHandle.standardOutput.write(data + Data("\n".utf8))
            }
            return
        }
        var text = "Scenophone is serving \(corpusName) (\(sourceCount) sources, \(frameCount) frames); "
        text += "sound: \(sinkName).\n\n"
        if secure {
            text += "Open on a phone or computer on the same network:\n"
            for url in urls { text += "  \(url)\n" }
            if let qr = try? QRCode(text: urls[0]) {
                text += "\n" + qr.terminalText(colour: isatty(STDOUT_FILENO) != 0, quietZone: 2)
            }
            text += "\nThe certificate is self-made, so browsers warn once; its SHA-256 fingerprint is\n"
            text += "  \(fingerprint ?? "unknown")\n"
            if let certificatePath {
                text += "(\(certificatePath)\(certificateCreated ? ", made now" : ""))\n"
            }
        } else {
            text += "Open in a browser on this machine:\n  \(urls[0])\n"
            text += "(To reach it from a phone, serve with --host 0.0.0.0.)\n"
        }
        text += "\nPress Ctrl-C to stop.\n"
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
