/// Decoded audio held in memory: interleaved 32-bit float samples.
public struct AudioClip: Sendable, Equatable {
    /// Samples per second per channel.
    public var sampleRate: Int
    /// The number of channels.
    public var channels: Int
    /// `frameCount × channels` samples, channel by channel within each frame.
    public var samples: [Float]

    /// Creates a clip.
    ///
    /// - Parameters:
    ///   - sampleRate: samples per second per channel.
    ///   - channels: at least 1.
    ///   - samples: interleaved samples, a whole number of frames.
    public init(sampleRate: Int, channels: Int, samples: [Float]) {
        precondition(channels > 0 && samples.count % channels == 0, "samples must be whole frames")
        self.sampleRate = sampleRate
        self.channels = channels
        self.samples = samples
    }

    /// The number of sample frames (one sample per channel each).
    public var frameCount: Int { samples.count / channels }

    /// The length in seconds.
    public var duration: Double { Double(frameCount) / Double(sampleRate) }
}
