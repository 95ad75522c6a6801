/// A convolution with its BatchNorm folded in, in the layout XNNPACK reads: a dense filter is
/// `[out][kh][kw][in]` (OHWI), a depthwise one `[1][kh][kw][channels]`.
struct FoldedConvolution {
    /// The filter weights, scaled by the BatchNorm.
    var filter: [Float]
    /// The BatchNorm's shift, one per output channel.
    var bias: [Float]
    /// The filter's side.
    var kernelSize: Int
}

/// One MBConv block's folded convolutions.
struct FoldedBlock {
    /// Its published geometry.
    var spec: LiteArchitecture.Block
    /// The 1×1 expansion, absent when the expansion ratio is one.
    var expand: FoldedConvolution?
    /// The depthwise convolution.
    var depthwise: FoldedConvolution
    /// The 1×1 projection (linear: no activation).
    var project: FoldedConvolution
}
