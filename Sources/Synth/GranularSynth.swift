import Synchronization

/// The granular synthesizer: ~100 grain onsets a second, each reading 50–100 ms of corpus audio at a
/// moment drawn from the current distribution over corpus frames, windowed, panned, summed,
/// normalised for overlap and limited.
///
/// Three kinds of caller, each on its own thread:
/// - the audio thread calls ``render(into:frames:)``, which allocates nothing and takes no locks
///   (checked by the compiler through `@_noLocks` and `@_noAllocation`);
/// - the vision thread calls ``publish(_:generation:frameTime:)`` with a new distribution; the alias
///   tables are built on the caller's thread and handed over through a lock-free triple buffer;
/// - a control thread calls ``update(_:)``; a UI reads ``status`` and drains grain events.
/// Writers of the same kind are serialised by a mutex the audio thread never touches.
public final class GranularSynth: @unchecked Sendable {
    /// The audio the grains read.
    public let bank: SoundBank
    /// The fixed shape chosen at creation.
    public let configuration: SynthConfiguration

    private let engine: UnsafeMutablePointer<GrainEngine>
    private let distributions: UnsafeMutablePointer<DistributionSlot>
    private let distributionIndex = TripleBufferIndex()
    /// The slot the next ``publish(_:generation:frameTime:)`` fills.
    private let distributionWriter = Mutex<Int>(0)
    /// The weights of a slot's columns while it is built; used under `distributionWriter` only.
    private let columnWeights: UnsafeMutableBufferPointer<Double>
    private let settings: UnsafeMutablePointer<GrainSettings>
    private let volumes: UnsafeMutablePointer<Float>
    private let settingsIndex = TripleBufferIndex()
    /// The slot the next ``update(_:)`` fills, and the parameters last set.
    private let settingsWriter: Mutex<(slot: Int, parameters: GrainParameters)>
    private let events: GrainEventRing
    private let monitor = SynthMonitor()
    private let memory: EngineMemory

    /// Creates a synthesizer that plays silence until the first distribution is published.
    ///
    /// - Parameters:
    ///   - bank: the audio to read.
    ///   - configuration: output channels, voice limit, seed, limiter.
    ///   - parameters: the initial grain parameters.
    /// - Throws: ``SynthError/invalidParameter(_:)`` for a setting out of range.
    public init(
        bank: SoundBank, configuration: SynthConfiguration = SynthConfiguration(),
        parameters: GrainParameters = GrainParameters()
    ) throws {
        try configuration.validate()
        try parameters.validate(sourceCount: bank.sources.count)
        self.bank = bank
        self.configuration = configuration
        let sourceCount = bank.sources.count
        memory = EngineMemory(bank: bank, configuration: configuration)
        columnWeights = .allocate(capacity: bank.frames.count + 1)
        columnWeights.initialize(repeating: 0)
        distributions = .allocate(capacity: 3)
        for slot in 0..<3 {
            (distributions + slot).initialize(to: DistributionSlot(capacity: bank.frames.count))
        }
        settings = .allocate(capacity: 3)
        settings.initialize(repeating: GrainSettings(parameters, sampleRate: bank.sampleRate), count: 3)
        volumes = .allocate(capacity: max(3 * sourceCount, 1))
        for slot in 0..<3 {
            Self.copyVolumes(parameters, into: volumes + slot * sourceCount, count: sourceCount)
        }
        settingsWriter = Mutex((0, parameters))
        events = GrainEventRing(capacity: 16_384)
        engine = .allocate(capacity: 1)
        engine.initialize(
            to: GrainEngine(
                channels: configuration.channels, sourceBase: memory.sourceBase,
                sourceChannels: memory.sourceChannels,
                sourceFrames: memory.sourceFrames, sourceCount: sourceCount, spans: memory.spans,
                distributions: distributions, settings: settings, volumes: volumes,
                voices: memory.voices, voiceLimit: configuration.maxVoices,
                voiceCapacity: memory.voiceCapacity,
                stealFadeFrames: Int(configuration.stealFade * Double(bank.sampleRate)),
                mixLeft: memory.mixLeft, mixRight: memory.mixRight, envelope: memory.envelope,
                resampled: memory.resampled,
                limiter: SoftLimiter(
                    thresholdDecibels: parameters.limiterThresholdDecibels,
                    ceilingDecibels: parameters.limiterCeilingDecibels, release: parameters.limiterRelease,
                    sampleRate: bank.sampleRate),
                random: Xoshiro256(seed: configuration.seed)))
    }

    deinit {
        engine.deinitialize(count: 1)
        engine.deallocate()
        distributions.deinitialize(count: 3)
        distributions.deallocate()
        columnWeights.deallocate()
        settings.deallocate()
        volumes.deallocate()
    }

    /// Output sample rate in Hz (the bank's).
    public var sampleRate: Int { bank.sampleRate }
    /// Output channels (1 or 2, interleaved).
    public var channels: Int { configuration.channels }

    /// Renders the next `frames` frames of interleaved output. Audio thread only.
    ///
    /// A distribution or parameters published before the call apply from its first frame. Any
    /// `frames` works; the work is done in chunks of ``GrainEngine/chunkSamples`` samples.
    ///
    /// - Parameters:
    ///   - output: room for `frames × channels` samples, overwritten.
    ///   - frames: frames to render.
    @_noLocks @_noAllocation
    public func render(into output: UnsafeMutablePointer<Float>, frames: Int) {
        let previous = engine.pointee.distributionSlot
        let current = distributionIndex.acquire(previous)
        if current != previous {
            engine.pointee.distributionSlot = current
            monitor.generation.store(distributions[current].generation, ordering: .relaxed)
            monitor.frameTime.store(distributions[current].frameTime.bitPattern, ordering: .relaxed)
        }
        engine.pointee.settingsSlot = settingsIndex.acquire(engine.pointee.settingsSlot)
        engine.pointee.render(into: output, frames: frames, events: events, monitor: monitor)
    }

    /// Makes a new distribution over the corpus frames current for grains that start from the next
    /// render call on. Vision thread; builds the alias tables on the caller's thread in O(frames with
    /// mass), and in O(corpus frames) when the time weights changed.
    ///
    /// - Parameters:
    ///   - distribution: the distribution; no share at all plays silence.
    ///   - generation: the caller's number for this distribution, reported with its grains.
    ///   - frameTime: when its camera frame arrived, in the caller's seconds.
    /// - Throws: ``SynthError/frameCountMismatch(expected:got:)`` if it is not over the bank's frames.
    public func publish(_ distribution: SparseDistribution, generation: UInt64, frameTime: Double) throws {
        guard distribution.frameCount == bank.frames.count else {
            throw SynthError.frameCountMismatch(expected: bank.frames.count, got: distribution.frameCount)
        }
        distributionWriter.withLock { slot in
            let target = distributions + slot
            if distribution.background > 0,
                target.pointee.backgroundVersion != distribution.timeWeightsVersion
            {
                target.pointee.background.build(from: distribution.timeWeights)
                target.pointee.backgroundVersion = distribution.timeWeightsVersion
            }
            var columns = 0
            for frame in distribution.frames {
                target.pointee.frames[columns] = frame
                columnWeights[columns] = distribution.masses[Int(frame)]
                columns += 1
            }
            target.pointee.backgroundColumn = -1
            if distribution.background > 0, target.pointee.background.count > 0 {
                target.pointee.backgroundColumn = columns
                columnWeights[columns] = distribution.background
                columns += 1
            }
            finish(slot: &slot, columns: columns, generation: generation, frameTime: frameTime)
        }
    }

    /// Makes a distribution given as one weight per corpus frame current, as
    /// ``publish(_:generation:frameTime:)-(SparseDistribution,_,_)`` does; O(corpus frames).
    ///
    /// - Parameters:
    ///   - weights: one non-negative weight per corpus frame (need not sum to 1); all zero plays silence.
    ///   - generation: the caller's number for this distribution, reported with its grains.
    ///   - frameTime: when its camera frame arrived, in the caller's seconds.
    /// - Throws: ``SynthError/frameCountMismatch(expected:got:)`` if there is not one weight per frame.
    public func publish(_ weights: UnsafeBufferPointer<Double>, generation: UInt64, frameTime: Double) throws
    {
        guard weights.count == bank.frames.count else {
            throw SynthError.frameCountMismatch(expected: bank.frames.count, got: weights.count)
        }
        distributionWriter.withLock { slot in
            let target = distributions + slot
            for (frame, weight) in weights.enumerated() {
                target.pointee.frames[frame] = Int32(frame)
                columnWeights[frame] = weight
            }
            target.pointee.backgroundColumn = -1
            finish(slot: &slot, columns: weights.count, generation: generation, frameTime: frameTime)
        }
    }

    /// Builds the slot's column table from `columnWeights` and hands the slot to the audio thread.
    private func finish(slot: inout Int, columns: Int, generation: UInt64, frameTime: Double) {
        distributions[slot].table.build(from: UnsafeBufferPointer(rebasing: columnWeights[0..<columns]))
        distributions[slot].generation = generation
        distributions[slot].frameTime = frameTime
        slot = distributionIndex.publish(slot)
    }

    /// Replaces the grain parameters for grains that start from the next render call on.
    ///
    /// - Parameter parameters: the new parameters.
    /// - Throws: ``SynthError/invalidParameter(_:)`` for a setting out of range (nothing changes).
    public func update(_ parameters: GrainParameters) throws {
        try parameters.validate(sourceCount: bank.sources.count)
        let derived = GrainSettings(parameters, sampleRate: bank.sampleRate)
        let sourceCount = bank.sources.count
        settingsWriter.withLock { writer in
            settings[writer.slot] = derived
            Self.copyVolumes(parameters, into: volumes + writer.slot * sourceCount, count: sourceCount)
            writer.parameters = parameters
            writer.slot = settingsIndex.publish(writer.slot)
        }
    }

    /// The grain parameters last set.
    public var parameters: GrainParameters { settingsWriter.withLock { $0.parameters } }

    /// Output level and counts as of the last render call.
    public var status: SynthStatus { monitor.read(eventsDropped: events.droppedCount) }

    /// Takes every grain event recorded since the last drain, oldest first. Any non-real-time thread.
    ///
    /// - Parameter body: called once per event.
    /// - Throws: what `body` throws; events up to that one are consumed.
    public func drainGrainEvents(_ body: (GrainEvent) throws -> Void) rethrows {
        try events.drain(body)
    }

    private static func copyVolumes(
        _ parameters: GrainParameters, into volumes: UnsafeMutablePointer<Float>, count: Int
    ) {
        for source in 0..<count {
            volumes[source] = parameters.sourceVolumes.isEmpty ? 1 : parameters.sourceVolumes[source]
        }
    }
}

/// The audio thread's preallocated memory: the flattened sound bank, the voices and the chunk
/// buffers, freed together when the synthesizer goes.
private final class EngineMemory {
    let sourceBase: UnsafeMutablePointer<UnsafePointer<Float>>
    let sourceChannels: UnsafeMutablePointer<Int>
    let sourceFrames: UnsafeMutablePointer<Int>
    let spans: UnsafeMutablePointer<FrameSpan>
    let voices: UnsafeMutablePointer<Voice>
    let voiceCapacity: Int
    let mixLeft: UnsafeMutablePointer<Float>
    let mixRight: UnsafeMutablePointer<Float>
    let envelope: UnsafeMutablePointer<Float>
    let resampled: UnsafeMutablePointer<Float>

    init(bank: SoundBank, configuration: SynthConfiguration) {
        let sources = bank.sources
        sourceBase = .allocate(capacity: max(sources.count, 1))
        sourceChannels = .allocate(capacity: max(sources.count, 1))
        sourceFrames = .allocate(capacity: max(sources.count, 1))
        for (index, source) in sources.enumerated() {
            (sourceBase + index).initialize(to: source.samples.baseAddress ?? UnsafePointer(bitPattern: 16)!)
            (sourceChannels + index).initialize(to: source.channels)
            (sourceFrames + index).initialize(to: source.frameCount)
        }
        spans = .allocate(capacity: max(bank.frames.count, 1))
        _ = UnsafeMutableBufferPointer(start: spans, count: bank.frames.count).initialize(from: bank.frames)
        // Room beyond the limit for grains fading out after being stolen.
        voiceCapacity = configuration.maxVoices + max(16, configuration.maxVoices / 4)
        voices = .allocate(capacity: voiceCapacity)
        let chunk = GrainEngine.chunkSamples
        mixLeft = .allocate(capacity: chunk)
        mixRight = .allocate(capacity: chunk)
        envelope = .allocate(capacity: chunk)
        resampled = .allocate(capacity: 2 * chunk)
    }

    deinit {
        sourceBase.deallocate()
        sourceChannels.deallocate()
        sourceFrames.deallocate()
        spans.deallocate()
        voices.deallocate()
        mixLeft.deallocate()
        mixRight.deallocate()
        envelope.deallocate()
        resampled.deallocate()
    }
}
