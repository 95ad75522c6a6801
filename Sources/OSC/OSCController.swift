import Engine
import Foundation

/// What OSC messages do to a live engine: the address space of `docs/osc.md`.
///
/// - `/scenophone/sound/<parameter> value`: any parameter of ``SoundModel`` (a number, or a
///   choice's name);
/// - `/scenophone/source/<index|name>/volume value` and `…/mute 0|1`;
/// - `/scenophone/preset/load name`, `/scenophone/preset/save name`, `/scenophone/preset/reset`;
/// - `/scenophone/camera/hold 0|1`.
///
/// Each change goes through the engine's one `update`, so it is checked like a change from the page.
public final class OSCController: Sendable {
    /// The address every message starts with.
    public static let prefix = "/scenophone"

    /// The engine playing now: `serve` replaces it when an example is taught.
    private let currentEngine: @Sendable () -> LiveEngine
    var engine: LiveEngine { currentEngine() }
    /// Where `preset/save` writes and `preset/load` reads presets that are not built in.
    public let presetDirectory: URL

    /// Creates a controller.
    ///
    /// - Parameters:
    ///   - engine: gives the engine to control, each time a message comes.
    ///   - presetDirectory: the folder of saved presets.
    public init(
        engine: @escaping @Sendable () -> LiveEngine,
        presetDirectory: URL = OSCController.defaultPresetDirectory
    ) {
        currentEngine = engine
        self.presetDirectory = presetDirectory
    }

    /// `$XDG_CONFIG_HOME/scenophone/presets`, or `~/.config/scenophone/presets`.
    public static var defaultPresetDirectory: URL {
        let environment = ProcessInfo.processInfo.environment
        let base =
            environment["XDG_CONFIG_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".config")
        return base.appendingPathComponent("scenophone/presets")
    }

    /// Applies one message.
    ///
    /// - Parameter message: the message.
    /// - Returns: nil when applied, or why it was refused.
    public func handle(_ message: OSCMessage) -> String? {
        let parts = message.address.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3, parts[0].isEmpty, "/" + parts[1] == Self.prefix else {
            return "unknown address \(message.address.prefix(80))"
        }
        let first = message.arguments.first
        do throws(SoundModelError) {
            switch (parts[2], parts.count) {
            case ("sound", 4):
                let parameter = try SoundModel.parameter(named: parts[3])
                let value: Double
                if let text = first?.text {
                    value = try parameter.value(parsing: text)
                } else if let number = first?.number {
                    // Controllers send floats: a whole parameter takes the nearest whole value.
                    value = parameter.integer ? number.rounded() : number
                    try parameter.check(value)
                } else {
                    return "\(message.address) needs a value"
                }
                try engine.update(SoundChange([parameter.name: value]))
            case ("source", 5):
                let index = try sourceIndex(parts[3])
                switch parts[4] {
                case "volume":
                    guard let volume = first?.number else { return "\(message.address) needs a number" }
                    try engine.update(SoundChange(sources: [.init(index: index, volume: volume)]))
                case "mute":
                    guard let muted = first?.number else { return "\(message.address) needs 0 or 1" }
                    try engine.update(SoundChange(sources: [.init(index: index, muted: muted != 0)]))
                default:
                    return "unknown address \(message.address.prefix(80))"
                }
            case ("preset", 4):
                try preset(parts[3], name: first?.text)
            case ("camera", 4) where parts[3] == "hold":
                guard let hold = first?.number else { return "\(message.address) needs 0 or 1" }
                engine.setHold(hold != 0)
            default:
                return "unknown address \(message.address.prefix(80))"
            }
        } catch {
            return "\(message.address): \(error)"
        }
        return nil
    }

    private func sourceIndex(_ text: String) throws(SoundModelError) -> Int {
        let names = engine.corpus.sources.map(\.name)
        if let index = Int(text), names.indices.contains(index) { return index }
        if let index = names.firstIndex(of: text) { return index }
        throw .unknownSource(
            "there is no source \"\(text.prefix(60))\"; the corpus has \(names.joined(separator: ", "))")
    }

    private func preset(_ action: String, name: String?) throws(SoundModelError) {
        let names = engine.corpus.sources.map(\.name)
        switch action {
        case "reset":
            engine.replaceSound(with: SoundSettings(sourceCount: names.count))
        case "load":
            let name = try presetName(name)
            var preset = SoundPreset.builtIn.first { $0.name == name }
            if preset == nil {
                preset = try SoundPreset.load(presetDirectory.appendingPathComponent("\(name).json").path)
            }
            guard let preset else { return }
            engine.replaceSound(with: try preset.settings(sourceNames: names).settings)
        case "save":
            let name = try presetName(name)
            do {
                try FileManager.default.createDirectory(
                    at: presetDirectory, withIntermediateDirectories: true)
                try SoundPreset(settings: engine.sound, sourceNames: names, name: name)
                    .write(to: presetDirectory.appendingPathComponent("\(name).json"))
            } catch {
                throw .invalidPreset(
                    "cannot save preset \(name) in \(presetDirectory.path): \(error.localizedDescription)")
            }
        default:
            throw .invalidPreset("unknown preset action \(action.prefix(40)) (load, save, reset)")
        }
    }

    /// A preset name that is safe as a file name: letters, digits, `-` and `_`, at most 64.
    private func presetName(_ name: String?) throws(SoundModelError) -> String {
        guard let name, !name.isEmpty, name.count <= 64,
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else {
            throw .invalidPreset(
                "a preset name is 1–64 letters, digits, - or _ (got \(name.map { "\"\($0.prefix(64))\"" } ?? "none"))"
            )
        }
        return name
    }
}
