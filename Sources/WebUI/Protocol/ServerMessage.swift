import Engine
import Foundation
import NIOCore

/// A text (JSON) message from the server to a page. Every message has a `type`:
///
/// - `welcome` once after `hello`: frame size, corpus overview, audio format, limits, the sound
///   model (every parameter's name, range, unit, scale: the page builds its controls from it), the
///   sound in force and the built-in presets;
/// - `state` several times a second: the inside view (`SceneState`) plus the audience;
/// - `parameters` whenever the sound changes (from any page, OSC or a preset): a `SoundSettings`;
/// - `preset` in answer to a save: `{"type":"preset","preset":{…the preset file…}}`;
/// - `role` when this client's role changes (another device took the camera);
/// - `error` before the server closes a connection, or when it ignores a message;
/// - `taught` when a `teach` request is done (to every page when it worked, to the asker when not).
public enum ServerMessage: Sendable {
    case welcome(Welcome)
    case state(SceneState, audience: Audience)
    case parameters(SoundSettings)
    case preset(SoundPreset)
    case role(ClientRole)
    case error(code: String, message: String)
    case taught(TeachReport)

    /// The first message a client gets: everything the page needs to set itself up.
    public struct Welcome: Encodable, Sendable {
        /// Width and height of the camera frames to send.
        public var inputSide: Int
        /// Frames per second the page should send, and the most the server accepts.
        public var frameRate: Double
        public var maximumFrameRate: Double
        public var overview: SceneOverview
        /// Every sound parameter: name, label, unit, default, range, scale, where a change goes.
        public var model: [SoundParameter]
        /// The range of a source's volume.
        public var sourceVolume: SourceVolume
        /// The sound in force.
        public var parameters: SoundSettings
        /// The presets that ship with the program.
        public var presets: [PresetSummary]
        /// What the browser audio stream carries.
        public var audio: AudioFormat
        /// `device` when the server plays through its own sound device, `browser` when it only streams.
        public var serverOutput: String
        /// This client's role after the hello.
        public var role: ClientRole
    }

    /// The range of a source's volume, linear.
    public struct SourceVolume: Encodable, Sendable {
        public var minimum: Double
        public var maximum: Double
    }

    /// A built-in preset as the page lists it.
    public struct PresetSummary: Encodable, Sendable {
        public var name: String
        public var description: String
    }

    /// The browser audio stream's format: 16-bit PCM, interleaved.
    public struct AudioFormat: Codable, Sendable {
        public var sampleRate: Int
        public var channels: Int
    }

    /// Who is connected.
    public struct Audience: Codable, Equatable, Sendable {
        public var viewers: Int
        public var listeners: Int
    }

    /// The message as one JSON text, in a buffer that can be shared by every client it goes to.
    public func encoded() -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let data: Data
        do {
            switch self {
            case .welcome(let welcome):
                data = try encoder.encode(Tagged(type: "welcome", body: welcome))
            case .state(let state, let audience):
                data = try encoder.encode(
                    Tagged(type: "state", body: StateBody(state: state, audience: audience)))
            case .parameters(let parameters):
                data = try encoder.encode(Tagged(type: "parameters", body: parameters))
            case .preset(let preset):
                let file = try JSONDecoder().decode(JSONValue.self, from: preset.encoded())
                data = try encoder.encode(Tagged(type: "preset", body: ["preset": file]))
            case .role(let role):
                data = try encoder.encode(Tagged(type: "role", body: ["role": role]))
            case .error(let code, let message):
                data = try encoder.encode(Tagged(type: "error", body: ["code": code, "message": message]))
            case .taught(let report):
                data = try encoder.encode(Tagged(type: "taught", body: report))
            }
        } catch {
            // Only non-conforming floats could fail, and they are converted above.
            preconditionFailure("encoding a server message failed: \(error)")
        }
        return ByteBuffer(bytes: data)
    }

    /// A body's fields with `type` added beside them.
    private struct Tagged<Body: Encodable>: Encodable {
        var type: String
        var body: Body

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: TypeKey.self)
            try container.encode(type, forKey: .type)
            try body.encode(to: encoder)
        }

        enum TypeKey: String, CodingKey { case type }
    }

    private struct StateBody: Encodable {
        var state: SceneState
        var audience: Audience

        func encode(to encoder: any Encoder) throws {
            try state.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(audience, forKey: .audience)
        }

        enum Key: String, CodingKey { case audience }
    }
}
