import Engine
import Synchronization
import WebUI

/// A stand-in engine for the server's own tests (protocol, security, hostile clients): it records
/// what the server hands it and answers with a state derived from the last frame, so a test can
/// tell that frames got through without running the network.
final class ScriptedSceneEngine: SceneEngine {
    let inputSide = 224
    let overview = SceneOverview(
        sources: [
            .init(name: "river", kind: "video", duration: 30, firstFrame: 0, frameCount: 30),
            .init(name: "café", kind: "still", duration: 12, firstFrame: 30, frameCount: 1),
        ],
        frameCount: 31)

    private let state = Mutex(
        (
            frames: [CameraFrameMessage](),
            settings: SoundSettings(sourceCount: 2),
            updates: [SoundChange]()
        ))

    var submittedFrames: [CameraFrameMessage] { state.withLock { $0.frames } }
    var appliedUpdates: [SoundChange] { state.withLock { $0.updates } }

    func submit(_ frame: CameraFrameMessage, arrival: Int64) {
        state.withLock { $0.frames.append(frame) }
    }

    func snapshot(including pinned: Set<Int>) -> SceneState {
        let last = state.withLock { $0.frames.last }
        guard let last else { return SceneState() }
        // The first pixel's red value picks the "nearest" frame, so tests can steer it.
        let index = Int(last.pixels[0]) % overview.frameCount
        return SceneState(
            frame: UInt64(state.withLock { $0.frames.count }), frameSequence: last.sequence,
            captureTime: last.captureTime,
            nearest: [.init(index: index, source: index < 30 ? 0 : 1, time: Double(index % 30), distance: 1)],
            lanes: [
                .init(source: 0, mass: 0.75, curve: [0.5, 0.25]), .init(source: 1, mass: 0.25, curve: [0.25]),
            ],
            sourceCount: 2, totalMass: 1, archive: [0.75, 0.25],
            grains: [.init(source: 0, time: 1, duration: 0.08, gain: 0.5, pan: 0)],
            labels: [.init(name: "lakeside", probability: 0.5)])
    }

    func apply(_ change: SoundChange) throws(SoundModelError) -> SoundSettings {
        try state.withLock { (state) throws(SoundModelError) -> SoundSettings in
            state.settings = try state.settings.applying(change)
            state.updates.append(change)
            return state.settings
        }
    }

    func replaceSound(with sound: SoundSettings) -> SoundSettings {
        state.withLock { state in
            state.settings = sound.withSourceCount(2).keepingStartParameters(of: state.settings)
            return state.settings
        }
    }

    var parameters: SoundSettings { state.withLock { $0.settings } }

    func thumbnail(ofFrame index: Int) -> [UInt8]? {
        (0..<overview.frameCount).contains(index) ? [0xFF, 0xD8, 0xFF, 0xD9] : nil
    }
}
