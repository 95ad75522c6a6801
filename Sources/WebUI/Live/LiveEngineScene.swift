import COpenBLAS
import Corpus
import Engine
import Foundation
import Synchronization

/// The live engine as the web page sees it: frames in, the inside view out, live parameters.
///
/// Keeps what the page needs and the engine does not: the grain cursor of the one reader that
/// fans state out to every page, the camera's own sequence numbers and capture times (echoed back
/// so the camera page can show its round trip).
///
/// With `Teaching`, "sounds like ▸ source" stores the camera frame in the corpus and reloads: a new
/// engine is built on the new corpus while the old one plays, then swapped in (the sound dips for
/// the old engine's 50 ms fade-out and the new one's fade-in).
public final class LiveEngineScene: SceneEngine {
    /// The engine behind the page now (a new one after each example taught).
    public var engine: LiveEngine { state.withLock { $0.engine } }
    public let inputSide: Int
    public var overview: SceneOverview { state.withLock { $0.overview } }

    /// Records sessions, when the server was started with a recordings folder.
    public let recorder: SessionRecorder?
    private let state: Mutex<State>
    private let teaching: Teaching?

    /// What "sounds like ▸ source" needs: who stores the frame, and how to build an engine on the
    /// corpus with the example (the same sink, taps and options as the first).
    public struct Teaching: Sendable {
        /// Stores camera frames as examples.
        public var teacher: CameraFrameTeacher
        /// Builds an engine (not started) on a corpus with the given parameters.
        public var makeEngine: @Sendable (Corpus, LiveParameters) throws -> LiveEngine

        /// Creates the teaching set-up.
        ///
        /// - Parameters:
        ///   - teacher: stores camera frames as examples.
        ///   - makeEngine: builds an engine (not started) on a corpus with the given parameters.
        public init(
            teacher: CameraFrameTeacher,
            makeEngine: @escaping @Sendable (Corpus, LiveParameters) throws -> LiveEngine
        ) {
            self.teacher = teacher
            self.makeEngine = makeEngine
        }
    }

    private let recordingStatus = Mutex(RecordingStatus())

    private struct State {
        var engine: LiveEngine
        var overview: SceneOverview
        var grainCursor: UInt64 = 0
        /// The sources drawn as rows, kept in place from state to state.
        var prominent: ProminentSources
        /// The last few submitted frames' ids and the camera's own stamps, newest last.
        var echoes: [(id: UInt64, sequence: UInt32, captureTime: Double)] = []
    }

    /// Wraps an engine (started or not).
    ///
    /// - Parameters:
    ///   - engine: the engine; the scene neither starts nor stops it, except to replace it by a new
    ///     one when an example is taught.
    ///   - teaching: how to teach examples; nil: `teach` is refused.
    ///   - recorder: records sessions of the engine (its ring among the engine's taps), or nil.
    public init(engine: LiveEngine, teaching: Teaching? = nil, recorder: SessionRecorder? = nil) {
        self.recorder = recorder
        let corpus = engine.corpus
        inputSide = corpus.model.inputSize
        self.teaching = teaching
        state = Mutex(
            State(
                engine: engine, overview: Self.overview(of: corpus),
                prominent: ProminentSources(sourceCount: corpus.sources.count)))
    }

    private static func overview(of corpus: Corpus) -> SceneOverview {
        SceneOverview(
            sources: corpus.sources.map {
                .init(
                    name: $0.name, kind: $0.kind.rawValue, duration: $0.duration,
                    firstFrame: $0.frames.lowerBound,
                    frameCount: $0.frames.count)
            },
            frameCount: corpus.frameCount)
    }

    public func submit(_ frame: CameraFrameMessage, arrival: Int64) {
        let live = LiveFrame(pixels: frame.pixels, width: frame.width, height: frame.height, layout: .rgb)
        // The hub has checked the size already, so the engine cannot refuse this frame.
        state.withLock { state in
            guard let id = try? state.engine.submit(live, arrival: arrival) else { return }
            state.echoes.append((id, frame.sequence, frame.captureTime))
            if state.echoes.count > 64 { state.echoes.removeFirst(state.echoes.count - 64) }
        }
        recorder?.noteFrame(live)
    }

    /// The sum of a curve's bins (probabilities, so never negative: BLAS's sum of magnitudes is
    /// their sum). BLAS because this runs over every bin of every source, a million values at 5 000
    /// sources, for each state: unoptimised Swift (a debug build) takes 100 ms for it.
    private static func mass(of curve: [Float]) -> Float {
        curve.withUnsafeBufferPointer { cblas_sasum(Int32($0.count), $0.baseAddress, 1) }
    }

    /// Strip buckets of the whole corpus on the page: one per source up to this many sources.
    static let archiveBuckets = 240

    public func snapshot(including pinned: Set<Int>) -> SceneState {
        let (engine, cursor) = state.withLock { ($0.engine, $0.grainCursor) }
        let snapshot = engine.snapshot(grainsAfter: cursor)
        let sourceCount = engine.corpus.sources.count
        var curves = [[Float]](repeating: [], count: sourceCount)
        var masses = [Float](repeating: 0, count: sourceCount)
        for curve in snapshot.curves where curves.indices.contains(curve.source) {
            curves[curve.source] = curve.probability
            masses[curve.source] = Self.mass(of: curve.probability)
        }
        let (echo, rows) = state.withLock {
            state -> ((sequence: UInt32, captureTime: Double)?, [Int]) in
            let rows = state.prominent.update(masses: masses)
            // A reload meanwhile started a new engine, whose grains and frames count afresh.
            guard state.engine === engine else { return (nil, rows) }
            state.grainCursor = snapshot.grainCursor
            let echo = state.echoes.last { $0.id == snapshot.frameID }.map { ($0.sequence, $0.captureTime) }
            return (echo, rows)
        }
        let lane = { (source: Int) in
            SceneState.Lane(source: source, mass: masses[source], curve: curves[source])
        }
        let buckets = min(sourceCount, Self.archiveBuckets)
        var archive = [Float](repeating: 0, count: buckets)
        for source in masses.indices { archive[source * buckets / sourceCount] += masses[source] }
        return SceneState(
            frame: snapshot.frameID == 0 ? nil : snapshot.frameID,
            frameSequence: echo?.sequence,
            captureTime: echo?.captureTime,
            visionMilliseconds: snapshot.visionSeconds.map { $0 * 1000 },
            secondsSinceCut: snapshot.secondsSinceCut,
            nearest: snapshot.nearest.map {
                .init(
                    index: $0.frame, source: $0.source, time: $0.time, distance: $0.distance,
                    example: engine.corpus.example(atFrame: $0.frame) != nil)
            },
            lanes: rows.map(lane),
            pinnable: pinned.sorted().filter { curves.indices.contains($0) && !rows.contains($0) }.map(lane),
            sourceCount: sourceCount, totalMass: masses.reduce(0, +), archive: archive,
            grains: snapshot.grains.map {
                .init(
                    source: $0.source, time: $0.sourceTime, duration: $0.duration, gain: $0.gain, pan: $0.pan)
            },
            labels: snapshot.labels.map { .init(name: $0.name, probability: $0.probability) },
            level: .init(peak: snapshot.peak, rms: snapshot.rms),
            underruns: snapshot.underruns)
    }

    // The recorder logs every change through the engine (`SessionRecorder.attach`), OSC's too.
    public func apply(_ change: SoundChange) throws(SoundModelError) -> SoundSettings {
        try engine.update(change)
    }

    public func replaceSound(with sound: SoundSettings) -> SoundSettings {
        engine.replaceSound(with: sound)
    }

    public var parameters: SoundSettings { engine.sound }

    public var recording: RecordingStatus? {
        guard let recorder else { return nil }
        var status = recordingStatus.withLock { $0 }
        if let session = recorder.currentSession {
            status.active = true
            status.session = session.lastPathComponent
        }
        return status
    }

    public func setRecording(_ on: Bool) {
        guard let recorder else { return }
        let proceed = recordingStatus.withLock { status -> Bool in
            guard !status.busy else { return false }
            status.busy = true
            return true
        }
        guard proceed else { return }
        // Stopping completes the MP4 with ffmpeg: never on the server's event loop.
        Thread.detachNewThread { [self] in
            var status = RecordingStatus()
            do {
                let session: URL? = try on ? recorder.start() : recorder.stop()
                status.session = session?.lastPathComponent
            } catch {
                status.error = "\(error)"
            }
            recordingStatus.withLock { $0 = status }
        }
    }

    public func thumbnail(ofFrame index: Int) -> [UInt8]? {
        let corpus = engine.corpus
        guard (0..<corpus.frameCount).contains(index) else { return nil }
        return corpus.thumbnailJPEG(ofFrame: index)
    }

    /// Stores the frame as an example of the source, then reloads: a new engine on the new corpus
    /// is built while the old one plays and swapped in with the parameters in force.
    public func teach(_ frame: CameraFrameMessage, source: Int) throws -> TeachReport {
        guard let teaching else { throw TeachingUnavailable() }
        let old = engine
        let corpus = old.corpus
        guard corpus.sources.indices.contains(source) else {
            throw CorpusError.invalidInput(
                "source \(source)", reason: "the corpus has \(corpus.sources.count) sources")
        }
        let name = corpus.sources[source].name
        let id = try teaching.teacher.teach(
            rgb: frame.pixels, width: frame.width, height: frame.height, source: name)
        let reopened = try Corpus.open(corpus.url, expecting: corpus.model)
        let fresh = try teaching.makeEngine(reopened, old.parameters)
        try state.withLock { state in
            _ = fresh.replaceSound(with: state.engine.sound)
            try? state.engine.stop()
            try fresh.start()
            state.engine = fresh
            state.overview = Self.overview(of: reopened)
            state.grainCursor = 0
            state.echoes = []
        }
        let example = reopened.examples.first { $0.id == id }
        return TeachReport(
            source: source, sourceName: name, example: id, frame: example?.frame ?? reopened.frameCount - 1,
            frameCount: reopened.frameCount)
    }
}
