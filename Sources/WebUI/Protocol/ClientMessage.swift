import Engine
import Foundation

/// A text (JSON) message from the page to the server. Every message has a `type`.
///
/// - `{"type":"hello","role":"camera"|"viewer","listen":false}` first, after connecting;
/// - `{"type":"role","role":"camera"|"viewer"}` to take or give up the camera;
/// - `{"type":"listen","on":true}` to start or stop the audio stream to this browser;
/// - `{"type":"parameters", …}` with any parameters of `SoundModel` by name, and `sources`
///   (`[{"index","volume","muted"}]`): a `SoundChange`;
/// - `{"type":"preset","action":"load","name":N}` or `…"preset":{…}` (a preset file's contents),
///   `{"type":"preset","action":"save","name":N}` (the server answers with the preset) and
///   `{"type":"preset","action":"reset"}` (the defaults).
/// - `{"type":"teach","source":2}`: the current camera frame "sounds like" source 2 (see `TeachReport`).
/// - `{"type":"record","on":true}` to start or stop recording a session (servers with `--record`).
/// - `{"type":"pin","sources":[12,4031]}`: the sources this page wants drawn as rows whatever their
///   mass (at most `maximumPinned`; `[]` unpins all).
public enum ClientMessage: Equatable, Sendable {
    case hello(role: ClientRole, listen: Bool)
    case role(ClientRole)
    case listen(Bool)
    case parameters(SoundChange)
    case preset(PresetRequest)
    case teach(source: Int)
    /// Start (true) or stop (false) recording a session.
    case record(Bool)
    /// The sources the page wants drawn as rows, in its order.
    case pin([Int])

    /// What a `preset` message asks for.
    public enum PresetRequest: Equatable, Sendable {
        /// Load a built-in preset by name.
        case loadBuiltIn(String)
        /// Load a preset the page read from a file (its JSON, checked when it is applied).
        case load(JSONValue)
        /// Send the current sound back as a preset with this name.
        case save(String)
        /// Go back to the defaults.
        case reset
    }

    /// The most sources one page may pin.
    public static let maximumPinned = 8

    /// The longest text message accepted; real ones are a few hundred bytes.
    public static let maximumLength = 16 * 1024

    /// Parses one text message.
    ///
    /// - Parameter text: the message.
    /// - Returns: the message.
    /// - Throws: `ProtocolViolation.malformed` naming what is wrong.
    public static func parse(_ text: String) throws(ProtocolViolation) -> ClientMessage {
        guard text.utf8.count <= maximumLength else {
            throw .malformed("text messages are limited to \(maximumLength) bytes; got \(text.utf8.count)")
        }
        let data = Data(text.utf8)
        let decoder = JSONDecoder()
        let envelope: Envelope
        do {
            envelope = try decoder.decode(Envelope.self, from: data)
        } catch {
            throw .malformed("a text message must be a JSON object with a \"type\"")
        }
        do {
            switch envelope.type {
            case "hello":
                let hello = try decoder.decode(Hello.self, from: data)
                return .hello(role: hello.role, listen: hello.listen ?? false)
            case "role":
                return .role(try decoder.decode(RoleChange.self, from: data).role)
            case "listen":
                return .listen(try decoder.decode(Listen.self, from: data).on)
            case "record":
                return .record(try decoder.decode(Record.self, from: data).on)
            case "parameters":
                guard case .object(let fields) = try decoder.decode(JSONValue.self, from: data) else {
                    throw ProtocolViolation.malformed("a text message must be a JSON object")
                }
                do {
                    return .parameters(try SoundChange.parse(fields, ignoring: ["type"]))
                } catch {
                    throw ProtocolViolation.malformed(error.description)
                }
            case "preset":
                return .preset(try decoder.decode(PresetMessage.self, from: data).request())
            case "pin":
                let sources = try decoder.decode(Pin.self, from: data).sources
                guard sources.count <= maximumPinned else {
                    throw ProtocolViolation.malformed(
                        "\"pin\": at most \(maximumPinned) sources; got \(sources.count)")
                }
                guard sources.allSatisfy({ $0 >= 0 }) else {
                    throw ProtocolViolation.malformed("\"pin\": source indices must be 0 or more")
                }
                return .pin(sources)
            case "teach":
                let source = try decoder.decode(Teach.self, from: data).source
                guard source >= 0 else {
                    throw ProtocolViolation.malformed("\"teach\": \"source\" must be 0 or more")
                }
                return .teach(source: source)
            default:
                throw ProtocolViolation.malformed("unknown message type \"\(envelope.type.prefix(40))\"")
            }
        } catch let violation as ProtocolViolation {
            throw violation
        } catch let DecodingError.keyNotFound(key, _) {
            throw .malformed("\"\(envelope.type)\" message lacks \"\(key.stringValue)\"")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw .malformed("\"\(envelope.type)\" message: \"\(path)\" has the wrong type")
        } catch let DecodingError.dataCorrupted(context) {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw .malformed("\"\(envelope.type)\" message: \"\(path)\" is invalid")
        } catch {
            throw .malformed("\"\(envelope.type)\" message could not be read")
        }
    }

    private struct Envelope: Decodable { var type: String }
    private struct Hello: Decodable {
        var role: ClientRole
        var listen: Bool?
    }
    private struct RoleChange: Decodable { var role: ClientRole }
    private struct Listen: Decodable { var on: Bool }
    private struct Teach: Decodable { var source: Int }
    private struct Record: Decodable { var on: Bool }
    private struct Pin: Decodable { var sources: [Int] }
    private struct PresetMessage: Decodable {
        var action: String
        var name: String?
        var preset: JSONValue?

        func request() throws(ProtocolViolation) -> PresetRequest {
            switch (action, name, preset) {
            case ("load", _, .some(let preset)): return .load(preset)
            case ("load", .some(let name), nil): return .loadBuiltIn(name)
            case ("save", .some(let name), _): return .save(name)
            case ("reset", _, _): return .reset
            default:
                throw .malformed(
                    "\"preset\" message: \"action\" must be load (with \"name\" or \"preset\"), save (with \"name\") or reset"
                )
            }
        }
    }
}

/// What a client does: sends camera frames (at most one at a time), or watches.
public enum ClientRole: String, Codable, Sendable {
    case camera, viewer
}
