/// The size a reader delivers its pictures at.
public enum FrameScaling: Sendable, Equatable, Hashable {
    /// The picture's own displayed size (after rotation, in square pixels).
    case native
    /// As large as fits in the box, keeping the aspect ratio; never enlarged.
    case fit(width: Int, height: Int)
    /// Exactly this size, stretched if the aspect ratio differs.
    case exact(width: Int, height: Int)
    /// The shorter side made exactly this long (enlarging if need be), keeping the aspect ratio.
    case shortSide(Int)

    /// The output size for a picture of the given displayed size.
    ///
    /// - Parameters:
    ///   - width: the source's displayed width.
    ///   - height: the source's displayed height.
    /// - Returns: the delivered width and height, each at least 1.
    public func outputSize(sourceWidth width: Int, sourceHeight height: Int) -> (width: Int, height: Int) {
        switch self {
        case .native:
            return (max(1, width), max(1, height))
        case .exact(let w, let h):
            return (max(1, w), max(1, h))
        case .shortSide(let side):
            let scale = Double(side) / Double(min(width, height))
            return (
                max(1, Int((Double(width) * scale).rounded())),
                max(1, Int((Double(height) * scale).rounded()))
            )
        case .fit(let boxWidth, let boxHeight):
            let scale = min(1, min(Double(boxWidth) / Double(width), Double(boxHeight) / Double(height)))
            return (
                max(1, Int((Double(width) * scale).rounded())),
                max(1, Int((Double(height) * scale).rounded()))
            )
        }
    }
}
