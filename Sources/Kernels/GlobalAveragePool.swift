/// The mean over all pixels of an NHWC feature map, per channel.
public enum GlobalAveragePool {
    /// Averages `pixels` rows of `channels` floats into one row.
    ///
    /// - Parameters:
    ///   - input: `pixels × channels` floats.
    ///   - pixels: the number of rows.
    ///   - channels: the row length.
    ///   - output: `channels` floats.
    public static func run(
        input: UnsafePointer<Float>, pixels: Int, channels: Int, output: UnsafeMutablePointer<Float>
    ) {
        output.update(repeating: 0, count: channels)
        // Pixels outer, channels inner: contiguous rows the compiler vectorises.
        for p in 0..<pixels {
            let row = input + p * channels
            for c in 0..<channels { output[c] += row[c] }
        }
        let scale = 1 / Float(pixels)
        for c in 0..<channels { output[c] *= scale }
    }
}
