/// A zero-initialised, cache-line-aligned block of `Float`s that frees itself.
///
/// Network workspaces and packed weights live in these so SIMD loads never straddle cache lines and
/// nothing is allocated per frame.
public final class AlignedBuffer: @unchecked Sendable {
    /// The number of `Float`s.
    public let count: Int
    /// The first element; valid for the lifetime of the buffer.
    public let baseAddress: UnsafeMutablePointer<Float>

    /// Allocates `count` zeroed floats aligned to 64 bytes.
    ///
    /// - Parameter count: how many floats (zero is allowed).
    public init(count: Int) {
        precondition(count >= 0, "AlignedBuffer: negative count")
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: max(count, 1) * 4)
        baseAddress = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// Allocates an aligned copy of `values`.
    ///
    /// - Parameter values: the floats to copy.
    public convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { baseAddress.update(from: base, count: values.count) }
        }
    }

    /// The contents as a buffer pointer (valid while `self` lives).
    public var buffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: baseAddress, count: count)
    }

    deinit { UnsafeMutableRawPointer(baseAddress).deallocate() }
}
