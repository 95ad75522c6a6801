/// One sounding grain: where it reads, how far it has got, and its window and gains.
///
/// Plain data, kept in a preallocated array that the audio thread walks every block.
struct Voice {
    /// First interleaved sample the grain reads in its source.
    var source: UnsafePointer<Float>
    /// Channels of the source (1 or 2).
    var channels: Int
    /// Output frames of the grain's window.
    var length: Int
    /// Output frames after which it stops: `length`, or sooner once stolen.
    var end: Int
    /// Output frames already rendered.
    var position: Int
    /// Frames to wait from the start of the current chunk before the grain begins (its onset).
    var delay: Int
    /// Frames of raised-cosine fade-in and fade-out.
    var attack: Int
    var release: Int
    /// Gain of the window's peak, common to both channels.
    var gain: Float
    /// Pan gains for stereo output (√2·cos θ, √2·sin θ, so a centred grain passes at unity).
    var left: Float
    var right: Float
    /// Source frames advanced per output frame; exactly 1 takes the copy path, anything else interpolates.
    var rate: Double
    /// Position at which a steal fade began, or `Int.max` when the grain was not stolen.
    var fadeStart: Int

    /// Creates a voice at the start of its grain; annotated because the audio thread calls it
    /// from another file, where the synthesized initializer would not be visible to the checks.
    @_noLocks @_noAllocation
    init(
        source: UnsafePointer<Float>, channels: Int, length: Int, delay: Int, attack: Int, release: Int,
        gain: Float, left: Float, right: Float, rate: Double
    ) {
        self.source = source
        self.channels = channels
        self.length = length
        self.end = length
        self.position = 0
        self.delay = delay
        self.attack = attack
        self.release = release
        self.gain = gain
        self.left = left
        self.right = right
        self.rate = rate
        self.fadeStart = Int.max
    }
}
