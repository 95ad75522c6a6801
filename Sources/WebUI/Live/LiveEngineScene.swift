import Corpus
import Engine
import Synchronization

/// The live engine as the web page sees it: frames in, the inside view out, live parameters.
///
/// Keeps what the page needs and the engine does not: the grain cursor of the one reader that
/// fans state out to every page, the camera's own sequence numbers and capture times (echoed back
/// so the camera page can show its round trip), and each source's volume and mute separately
/// (the synth knows only an effective volume, 0 for muted).
public final class LiveEngineScene: SceneEngine {
    /// The engine behind the page.
    public let engine: LiveEngine
    public let inputSide: Int
    public let overview: SceneOverview

    private let state: Mutex<State>

    private struct State {
        var grainCursor: UInt64 = 0
        var mixer: [ParameterSettings.Source]
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
        let volumes = engine.parameters.grains.sourceVolumes
        state = Mutex(
            State(
                mixer: corpus.sources.indices.map { index in
                    let volume = index < volumes.count ? Double(volumes[index]) : 1
                    return .init(volume: volume, muted: volume == 0)
                }))
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
            secondsSinceCut: snapshot.secondsSinceCut,
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

    public func apply(_ update: ParameterUpdate) -> ParameterSettings {
        state.withLock { state in
            var parameters = engine.parameters
            if let rate = update.grainRate { parameters.grains.grainRate = rate }
            if let durations = update.grainDuration {
                parameters.grains.minDuration = durations[0]
                parameters.grains.maxDuration = durations[1]
            }
            if let temperature = update.temperature { parameters.mapping.temperature = temperature }
            if let topK = update.topK { parameters.mapping.topK = topK }
            if let smoothing = update.smoothing { parameters.smoothing = smoothing }
            if let volume = update.volume { parameters.grains.gain = volume }
            var mixer = state.mixer
            for source in update.sources ?? [] where mixer.indices.contains(source.index) {
                if let volume = source.volume { mixer[source.index].volume = volume }
                if let muted = source.muted { mixer[source.index].muted = muted }
            }
            parameters.grains.sourceVolumes = mixer.map { $0.muted ? 0 : Float($0.volume) }
            // The hub validated the ranges against narrower limits than the engine's, so this holds;
            // if it ever did not, nothing changes and the page is shown what is in force.
            if (try? engine.update(parameters)) != nil { state.mixer = mixer }
            return settings(parameters, mixer: state.mixer)
        }
    }

    public var parameters: ParameterSettings {
        state.withLock { settings(engine.parameters, mixer: $0.mixer) }
    }

    public func thumbnail(ofFrame index: Int) -> [UInt8]? {
        guard (0..<engine.corpus.frameCount).contains(index) else { return nil }
        return engine.corpus.thumbnailJPEG(ofFrame: index)
    }

    private func settings(_ parameters: LiveParameters, mixer: [ParameterSettings.Source])
        -> ParameterSettings
    {
        ParameterSettings(
            grainRate: parameters.grains.grainRate,
            grainDuration: [parameters.grains.minDuration, parameters.grains.maxDuration],
            temperature: parameters.mapping.temperature, topK: parameters.mapping.topK,
            smoothing: parameters.smoothing, volume: parameters.grains.gain, sources: mixer)
    }
}
