/// Unaligned 8-lane loads and stores: the one place kernels touch raw memory as vectors.
@inline(__always)
func load8(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
func load8(_ pointer: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
func store8(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
}

/// `min(max(x, 0), 6)` lane by lane.
///
/// Written with scalar-replacing selects, which compile to `vmaxps` + a blend; the generic
/// `pointwiseMin`/`pointwiseMax` are not inlined and run lane by lane.
@inline(__always)
func relu6(_ x: SIMD8<Float>) -> SIMD8<Float> {
    x.replacing(with: 0, where: x .< 0).replacing(with: 6, where: x .> 6)
}
