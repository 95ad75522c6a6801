/// The secret a client must present to use a server bound beyond the loopback interface.
///
/// 128 random bits written as 22 base64url characters, so it fits in a URL and a small QR code.
/// Comparison takes the same time whatever the input, so timing does not reveal a prefix.
public struct AccessToken: Sendable, Equatable, CustomStringConvertible {
    /// The token as it appears in URLs.
    public let value: String

    /// A new random token from the system's secure generator.
    public static func random() -> AccessToken {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return AccessToken(validated: Self.base64URL(bytes))
    }

    /// A token chosen by the user.
    ///
    /// - Parameter value: at least 16 characters from the URL-safe set `A–Z a–z 0–9 - _ . ~`.
    /// - Throws: `AccessTokenError` when the token is too short or would need escaping in a URL.
    public init(_ value: String) throws {
        guard value.count >= 16 else { throw AccessTokenError.tooShort(value.count) }
        guard value.unicodeScalars.allSatisfy({ Self.urlSafe.contains($0) }) else {
            throw AccessTokenError.notURLSafe
        }
        self.value = value
    }

    private init(validated value: String) { self.value = value }

    /// Whether a presented string equals the token, in time that depends only on the lengths.
    ///
    /// - Parameter presented: what the client sent.
    /// - Returns: `true` when it matches exactly.
    public func matches(_ presented: Substring) -> Bool {
        let expected = Array(value.utf8)
        let given = Array(presented.utf8)
        var difference = UInt8(truncatingIfNeeded: expected.count ^ given.count)
        for i in expected.indices { difference |= expected[i] ^ (i < given.count ? given[i] : 0) }
        return difference == 0
    }

    /// Redacted, so a token never lands in a log by accident.
    public var description: String { "AccessToken(…)" }

    private static let urlSafe = Set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~".unicodeScalars)

    private static func base64URL(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var text = ""
        var buffer = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | Int(byte)
            bits += 8
            while bits >= 6 {
                bits -= 6
                text.append(alphabet[(buffer >> bits) & 63])
            }
        }
        if bits > 0 { text.append(alphabet[(buffer << (6 - bits)) & 63]) }
        return text
    }
}

/// Why a user-supplied access token was refused.
public enum AccessTokenError: Error, CustomStringConvertible {
    case tooShort(Int)
    case notURLSafe

    public var description: String {
        switch self {
        case .tooShort(let count):
            "the access token has \(count) characters; use at least 16 (or leave it out for a random one)"
        case .notURLSafe:
            "the access token may use only letters, digits and - _ . ~"
        }
    }
}
