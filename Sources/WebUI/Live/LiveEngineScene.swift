import Corpus
import Engine
import Synchronization

/// The live engine as the web page sees it: frames in, the inside view out, live parameters.
///
/// Keeps what the page needs and the engine does not: the grain cursor of the one reader that
/// fans state out to every page, and the camera's own sequence numbers and capture times (echoed
/// back so the camera page can show its round trip).
public final class LiveEngineScene: SceneEngine {
    /// The engine behind the page.
    public let engine: LiveEngine
    public let inputSide: Int
    public let overview: SceneOverview

    private let state: Mutex<State>

    private struct State {
        var grainCursor: UInt64 = 0
        /// The last few submitted frames' ids and the camera's own stamps, newest last.
        var echoes: [(id: UInt64, sequence: UInt32, captureTime: Double)] = []
    }

    /// Wraps an engine (started or not).
    ///
    /// - Parameter engine: the engine; the scene neither starts nor stops it.
    public init(engine: LiveEngine) {
        self.engine = engine
        let corpus = engine.corpus
        inputSide = corpus.model.inputSize
        overview = SceneOverview(
            sources: corpus.sources.map {
                .init(
                    name: $0.name, kind: $0.kind.rawValue, duration: $0.duration,
                    firstFrame: $0.frames.lowerBound,
                    frameCount: $0.frames.count)
            },
            frameCount: corpus.frameCount)
        state = Mutex(State())
    }

    public func submit(_ frame: CameraFrameMessage, arrival: Int64) {
        let live = LiveFrame(pixels: frame.pixels, width: frame.width, height: frame.height, layout: .rgb)
        // The hub has checked the size already, so the engine cannot refuse this frame.
        guard let id = try? engine.submit(live, arrival: arrival) else { return }
        state.withLock { state in
            state.echoes.append((id, frame.sequence, frame.captureTime))
            if state.echoes.count > 64 { state.echoes.removeFirst(state.echoes.count - 64) }
        }
    }

    public func snapshot() -> SceneState {
        let cursor = state.withLock { $0.grainCursor }
        let snapshot = engine.snapshot(grainsAfter: cursor)
        let echo = state.withLock { state in
            state.grainCursor = snapshot.grainCursor
            return state.echoes.last { $0.id == snapshot.frameID }
        }
        var distribution = [[Float]](repeating: [], count: overview.sources.count)
        for curve in snapshot.curves where distribution.indices.contains(curve.source) {
            distribution[curve.source] = curve.probability
        }
        return SceneState(
            frame: snapshot.frameID == 0 ? nil : snapshot.frameID,
            frameSequence: echo?.sequence,
            captureTime: echo?.captureTime,
            visionMilliseconds: snapshot.visionSeconds.map { $0 * 1000 },
            nearest: snapshot.nearest.map {
                .init(index: $0.frame, source: $0.source, time: $0.time, distance: $0.distance)
            },
            distribution: distribution,
            grains: snapshot.grains.map {
                .init(
                    source: $0.source, time: $0.sourceTime, duration: $0.duration, gain: $0.gain, pan: $0.pan)
            },
            labels: snapshot.labels.map { .init(name: $0.name, probability: $0.probability) },
            level: .init(peak: snapshot.peak, rms: snapshot.rms),
            underruns: snapshot.underruns)
    }

    public func apply(_ change: SoundChange) throws(SoundModelError) -> SoundSettings {
        try engine.update(change)
    }

    public func replaceSound(with sound: SoundSettings) -> SoundSettings {
        engine.replaceSound(with: sound)
    }

    public var parameters: SoundSettings { engine.sound }

    public func thumbnail(ofFrame index: Int) -> [UInt8]? {
        guard (0..<engine.corpus.frameCount).contains(index) else { return nil }
        return engine.corpus.thumbnailJPEG(ofFrame: index)
    }
}
