/// One recording the grains read from: its samples (interleaved, at the bank's sample rate) and how
/// much the listener wants of it.
///
/// The samples are borrowed, not copied: a corpus keeps minutes to hours of audio memory-mapped,
/// and the ``SoundBank`` that holds this source keeps their owner alive.
public struct SoundSource: @unchecked Sendable {
    /// A name for logs and the grain log (the corpus source's name).
    public var name: String
    /// Interleaved samples, `channels` per frame.
    public var samples: UnsafeBufferPointer<Float>
    /// 1 (mono) or 2 (stereo).
    public var channels: Int
    /// Multiplies the probability of this source's frames; 1 is neutral.
    public var weight: Double
    /// A muted source is never played and gets no probability.
    public var muted: Bool

    /// Creates a source description.
    ///
    /// - Parameters:
    ///   - name: a name for logs.
    ///   - samples: interleaved samples; they must outlive the ``SoundBank``'s owner object.
    ///   - channels: 1 or 2.
    ///   - weight: probability multiplier, ≥ 0.
    ///   - muted: whether the source is silenced.
    public init(
        name: String, samples: UnsafeBufferPointer<Float>, channels: Int, weight: Double = 1,
        muted: Bool = false
    ) {
        self.name = name
        self.samples = samples
        self.channels = channels
        self.weight = weight
        self.muted = muted
    }

    /// The number of sample frames (samples per channel).
    public var frameCount: Int { channels > 0 ? samples.count / channels : 0 }
}
