/// The mean over all pixels of an NHWC feature map, per channel.
public enum GlobalAveragePool {
    /// Averages `pixels` rows of `channels` floats into one row.
    ///
    /// - Parameters:
    ///   - input: `pixels × channels` floats.
    ///   - pixels: the number of rows.
    ///   - channels: the row length, a multiple of 8.
    ///   - output: `channels` floats.
    public static func run(
        input: UnsafePointer<Float>, pixels: Int, channels: Int, output: UnsafeMutablePointer<Float>
    ) {
        precondition(channels % 8 == 0, "pooling needs a multiple of 8 channels")
        let scale = SIMD8<Float>(repeating: 1 / Float(pixels))
        for c in stride(from: 0, to: channels, by: 8) {
            var sum = SIMD8<Float>(repeating: 0)
            for p in 0..<pixels { sum += load8(input + p * channels + c) }
            store8(sum * scale, output + c)
        }
    }
}
