import Foundation
import Hummingbird

/// The page's files (HTML, CSS, JavaScript), read once from the module's resources and served from
/// memory. There is no build step and nothing is fetched from elsewhere at run time.
public struct StaticAssets: Sendable {
    /// File name → contents and type.
    let files: [String: (bytes: ByteBuffer, contentType: String)]

    /// Loads every file in `Public`.
    ///
    /// - Parameter directory: where the files are; the module's bundled `Public` by default.
    /// - Throws: when the directory cannot be read.
    public init(directory: URL? = nil) throws {
        let directory = directory ?? Bundle.module.resourceURL!.appendingPathComponent("Public")
        var files: [String: (ByteBuffer, String)] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            let data = try Data(contentsOf: directory.appendingPathComponent(name))
            files[name] = (ByteBuffer(bytes: data), Self.contentType(of: name))
        }
        self.files = files
    }

    /// The response for a file, or nil when there is no such file.
    ///
    /// - Parameter name: a file name without directories.
    func response(for name: String) -> Response? {
        guard let file = files[name] else { return nil }
        var headers: HTTPFields = [
            .contentType: file.contentType,
            .cacheControl: "no-cache",
            .init("X-Content-Type-Options")!: "nosniff",
        ]
        if name.hasSuffix(".html") {
            // Everything the page needs comes from this server; blob: URLs carry camera previews.
            headers[.init("Content-Security-Policy")!] =
                "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob: mediastream:; "
                + "connect-src 'self'; worker-src 'self'; style-src 'self'; script-src 'self'; "
                + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
            headers[.init("Referrer-Policy")!] = "no-referrer"
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: file.bytes))
    }

    private static func contentType(of name: String) -> String {
        switch name.split(separator: ".").last {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        default: "application/octet-stream"
        }
    }
}
