import AudioOutput
import Synchronization
import Synth

/// The live engine's audio-thread work for one block: the synth, then the output stage, stamped
/// in the block clock. Everything it calls is checked by the compiler for locks and allocation.
final class LiveRenderer: @unchecked Sendable {
    let synth: GranularSynth
    let output: OutputStage
    let clock: BlockClock
    // The same objects without reference counting for the audio thread (the properties above keep
    // them alive): calling a method on a stored class reference retains it, which may lock.
    private let unretainedSynth: Unmanaged<GranularSynth>
    private let unretainedOutput: Unmanaged<OutputStage>
    private let unretainedClock: Unmanaged<BlockClock>
    /// Frames rendered so far; written by the audio thread only.
    private var framesRendered: Int64 = 0
    private let publishedFrames = Atomic<Int64>(0)

    init(synth: GranularSynth, output: OutputStage, clock: BlockClock) {
        self.synth = synth
        self.output = output
        self.clock = clock
        unretainedSynth = .passUnretained(synth)
        unretainedOutput = .passUnretained(output)
        unretainedClock = .passUnretained(clock)
    }

    /// Renders one block (audio thread).
    ///
    /// - Parameter block: the sink's block; its samples are overwritten.
    @_noLocks
    func render(_ block: AudioBlock) {
        let first = framesRendered
        unretainedClock._withUnsafeGuaranteedRef {
            $0.record(firstFrame: first, hostTime: block.hostTime, outputDelay: block.outputDelay)
        }
        unretainedSynth._withUnsafeGuaranteedRef {
            $0.render(into: block.samples.baseAddress!, frames: block.frames)
        }
        unretainedOutput._withUnsafeGuaranteedRef { $0.process(block.samples, channels: block.channels) }
        framesRendered += Int64(block.frames)
        publishedFrames.store(framesRendered, ordering: .relaxed)
    }

    /// Frames rendered since the start, readable from any thread.
    var frames: Int64 { publishedFrames.load(ordering: .relaxed) }
}
