import CXNNPACK
import Kernels

/// An XNNPACK subgraph being defined, with the shapes of its values and the constant tensors it
/// points at (XNNPACK keeps pointers to them for the life of any runtime made from the graph).
///
/// Every activation is NHWC with a batch of one; the runtime is set up per image.
final class NetworkGraph {
    /// The XNNPACK subgraph.
    let subgraph: xnn_subgraph_t
    /// Constant tensors (filters, biases); they must outlive every runtime made from the graph.
    private(set) var constants: [AlignedBuffer] = []
    private var shapes: [UInt32: [Int]] = [:]

    /// Creates an empty graph whose external values are numbered `0..<externalValues`.
    ///
    /// - Parameter externalValues: how many values the caller binds to its own buffers.
    /// - Throws: `VisionError.engineFailure` when XNNPACK refuses.
    init(externalValues: UInt32) throws {
        var created: xnn_subgraph_t?
        try Self.check(xnn_create_subgraph(externalValues, 0, &created), "xnn_create_subgraph")
        subgraph = created!
    }

    deinit { xnn_delete_subgraph(subgraph) }

    /// The shape of value `id`.
    func shape(_ id: UInt32) -> [Int] { shapes[id]! }

    /// Defines an activation tensor.
    ///
    /// - Parameters:
    ///   - shape: its NHWC dimensions.
    ///   - external: the external ID for a graph input or output, else nil.
    ///   - isInput: whether the external value is read (true) or written (false) by the graph.
    /// - Returns: the value ID.
    /// - Throws: `VisionError.engineFailure` when XNNPACK refuses.
    func activation(_ shape: [Int], external: UInt32? = nil, isInput: Bool = false) throws -> UInt32 {
        let flags =
            external == nil ? 0 : (isInput ? XNN_VALUE_FLAG_EXTERNAL_INPUT : XNN_VALUE_FLAG_EXTERNAL_OUTPUT)
        return try define(shape, data: nil, external: external ?? XNN_INVALID_VALUE_ID, flags: UInt32(flags))
    }

    /// Defines a constant tensor holding a copy of `values`.
    ///
    /// - Parameters:
    ///   - values: the elements, row-major.
    ///   - shape: its dimensions.
    /// - Returns: the value ID.
    /// - Throws: `VisionError.engineFailure` when XNNPACK refuses.
    func constant(_ values: [Float], shape: [Int]) throws -> UInt32 {
        precondition(
            values.count == shape.reduce(1, *), "constant: \(values.count) values for shape \(shape)")
        let storage = AlignedBuffer(values)
        constants.append(storage)
        return try define(shape, data: storage.baseAddress, external: XNN_INVALID_VALUE_ID, flags: 0)
    }

    /// Appends a dense convolution with TensorFlow "SAME" padding and an optional clamp.
    ///
    /// - Parameters:
    ///   - input: the input value.
    ///   - convolution: the folded filter (OHWI) and bias.
    ///   - stride: the step in both directions.
    ///   - clamp: the output range (ReLU6 is `0...6`), or nil for a linear output.
    /// - Returns: the output value.
    /// - Throws: `VisionError.engineFailure` when XNNPACK refuses.
    func convolution(
        _ input: UInt32, _ convolution: FoldedConvolution, stride: Int = 1, clamp: ClosedRange<Float>?
    ) throws -> UInt32 {
        let (n, h, w, c) = nhwc(input)
        let outputs = convolution.bias.count
        let k = convolution.kernelSize
        let rows = Self.samePadding(size: h, kernel: k, stride: stride)
        let columns = Self.samePadding(size: w, kernel: k, stride: stride)
        let filter = try constant(convolution.filter, shape: [outputs, k, k, c])
        let bias = try constant(convolution.bias, shape: [outputs])
        let output = try activation([n, rows.output, columns.output, outputs])
        let (low, high) = (clamp?.lowerBound ?? -.infinity, clamp?.upperBound ?? .infinity)
        try Self.check(
            xnn_define_convolution_2d(
                subgraph, rows.before, columns.after, rows.after, columns.before, UInt32(k), UInt32(k),
                UInt32(stride), UInt32(stride), 1, 1, 1, c, outputs, low, high, input, filter, bias, output, 0
            ),
            "xnn_define_convolution_2d")
        return output
    }

    /// Appends a depthwise convolution with TensorFlow "SAME" padding and an optional clamp.
    ///
    /// - Parameters:
    ///   - input: the input value.
    ///   - convolution: the folded filter (`[1][k][k][channels]`) and bias.
    ///   - stride: the step in both directions.
    ///   - clamp: the output range, or nil for a linear output.
    /// - Returns: the output value.
    /// - Throws: `VisionError.engineFailure` when XNNPACK refuses.
    func depthwiseConvolution(
        _ input: UInt32, _ convolution: FoldedConvolution, stride: Int, clamp: ClosedRange<Float>?
    ) throws -> UInt32 {
        let (n, h, w, c) = nhwc(input)
        let k = convolution.kernelSize
        let rows = Self.samePadding(size: h, kernel: k, stride: stride)
        let columns = Self.samePadding(size: w, kernel: k, stride: stride)
        let filter = try constant(convolution.filter, shape: [1, k, k, c])
        let bias = try constant(convolution.bias, shape: [c])
        let output = try activation([n, rows.output, columns.output, c])
        let (low, high) = (clamp?.lowerBound ?? -.infinity, clamp?.upperBound ?? .infinity)
        try Self.check(
            xnn_define_depthwise_convolution_2d(
                subgraph, rows.before, columns.after, rows.after, columns.before, UInt32(k), UInt32(k),
                UInt32(stride), UInt32(stride), 1, 1, 1, c, low, high, input, filter, bias, output, 0),
            "xnn_define_depthwise_convolution_2d")
        return output
    }

    /// Appends an element-wise sum (the skip connection).
    ///
    /// - Parameters:
    ///   - a: one value.
    ///   - b: another of the same shape.
    /// - Returns: the sum.
    /// - Throws: `VisionError.engineFailure` when XNNPACK refuses.
    func add(_ a: UInt32, _ b: UInt32) throws -> UInt32 {
        let output = try activation(shape(a))
        try Self.check(xnn_define_add2(subgraph, -.infinity, .infinity, a, b, output, 0), "xnn_define_add2")
        return output
    }

    /// Appends a global average pooling into `output`, an `[N, 1, 1, C]` value.
    ///
    /// - Parameters:
    ///   - input: an NHWC value.
    ///   - output: the pooled value, already defined (typically an external output).
    /// - Throws: `VisionError.engineFailure` when XNNPACK refuses.
    func globalAveragePool(_ input: UInt32, into output: UInt32) throws {
        try Self.check(
            xnn_define_global_average_pooling_2d(subgraph, -.infinity, .infinity, input, output, 0),
            "xnn_define_global_average_pooling_2d")
    }

    /// Throws `VisionError.engineFailure` unless `status` is success.
    ///
    /// - Parameters:
    ///   - status: what an XNNPACK call returned.
    ///   - call: the call's name, for the message.
    /// - Throws: `VisionError.engineFailure`.
    static func check(_ status: xnn_status, _ call: String) throws {
        guard status == xnn_status_success else {
            throw VisionError.engineFailure(call: call, status: Int(status.rawValue))
        }
    }

    private func define(_ shape: [Int], data: UnsafeRawPointer?, external: UInt32, flags: UInt32) throws
        -> UInt32
    {
        var id: UInt32 = 0
        try Self.check(
            xnn_define_tensor_value(
                subgraph, xnn_datatype_fp32, shape.count, shape, data, external, flags, &id),
            "xnn_define_tensor_value")
        shapes[id] = shape
        return id
    }

    /// TensorFlow "SAME" padding along one axis, as XNNPACK takes it.
    private static func samePadding(
        size: Int, kernel: Int, stride: Int
    ) -> (before: UInt32, after: UInt32, output: Int) {
        let (before, output) = LiteArchitecture.samePadding(size: size, kernel: kernel, stride: stride)
        let total = max((output - 1) * stride + kernel - size, 0)
        return (UInt32(before), UInt32(total - before), output)
    }

    private func nhwc(_ id: UInt32) -> (Int, Int, Int, Int) {
        let s = shape(id)
        return (s[0], s[1], s[2], s[3])
    }
}
