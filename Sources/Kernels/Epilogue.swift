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
    ///   - channels: the row length, a multiple of 8.
    ///   - bias: `channels` floats.
    public func apply(
        to data: UnsafeMutablePointer<Float>, rows: Int, channels: Int, bias: UnsafePointer<Float>
    ) {
        precondition(channels % 8 == 0, "epilogue needs a multiple of 8 channels")
        switch self {
        case .bias:
            for r in 0..<rows {
                let row = data + r * channels
                for c in stride(from: 0, to: channels, by: 8) {
                    store8(load8(row + c) + load8(bias + c), row + c)
                }
            }
        case .biasReLU6:
            for r in 0..<rows {
                let row = data + r * channels
                for c in stride(from: 0, to: channels, by: 8) {
                    store8(relu6(load8(row + c) + load8(bias + c)), row + c)
                }
            }
        case .biasResidual(let residual):
            for r in 0..<rows {
                let row = data + r * channels
                let skip = residual + r * channels
                for c in stride(from: 0, to: channels, by: 8) {
                    store8(load8(row + c) + load8(bias + c) + load8(skip + c), row + c)
                }
            }
        }
    }
}
