import Foundation

/// A plain HTTP/1.1 GET over a raw socket, so tests control every header (Host, Origin, Cookie).
///
/// - Returns: status, lower-cased headers and body text.
func httpGet(
    port: Int, path: String, host: String = "127.0.0.1", headers: [String: String] = [:]
) async throws -> (status: Int, headers: [String: String], body: String) {
    let client = try RawTCPClient(port: port)
    var request = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n"
    for (name, value) in headers { request += "\(name): \(value)\r\n" }
    await client.send(request + "\r\n")
    let response = String(decoding: await client.readUntilClosed().bytes, as: UTF8.self)
    guard let headEnd = response.range(of: "\r\n\r\n") else {
        throw TestFailure("no HTTP response: \(response)")
    }
    let lines = response[..<headEnd.lowerBound].split(separator: "\r\n")
    let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
    var fields: [String: String] = [:]
    for line in lines.dropFirst() {
        guard let colon = line.firstIndex(of: ":") else { continue }
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        fields[name] = fields[name].map { $0 + "\n" + value } ?? value
    }
    return (status, fields, String(response[headEnd.upperBound...]))
}
