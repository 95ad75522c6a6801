/// What follows a convolution's matrix product, applied in place over `rows × channels` floats.
public enum Epilogue {
    /// `x + bias`: a linear projection.
    case bias
    /// `min(max(x + bias, 0), 6)`.
    case biasReLU6
    /// `x + bias + residual`: a projection with a skip connection (the residual has the same shape).
    case biasResidual(UnsafePointer<Float>)

    /// Applies the epilogue.
    ///
    /// - Parameters:
    ///   - data: `rows × channels` floats, updated in place.
    ///   - rows: the number of pixels.
    ///   - channels: the row length.
    ///   - bias: `channels` floats.
    public func apply(
        to data: UnsafeMutablePointer<Float>, rows: Int, channels: Int, bias: UnsafePointer<Float>
    ) {
        // Plain loops: the compiler vectorises them, and this pass only serves the OpenBLAS
        // baseline (the microkernels fuse their epilogue into their stores).
        for r in 0..<rows {
            let row = data + r * channels
            switch self {
            case .bias:
                for c in 0..<channels { row[c] += bias[c] }
            case .biasReLU6:
                for c in 0..<channels { row[c] = min(max(row[c] + bias[c], 0), 6) }
            case .biasResidual(let residual):
                let skip = residual + r * channels
                for c in 0..<channels { row[c] += bias[c] + skip[c] }
            }
        }
    }
}
