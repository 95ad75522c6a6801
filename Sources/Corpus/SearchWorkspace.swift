/// The scratch space of one thread's bounded searches: every frame's lower bound and the query's
/// projection, allocated once by ``NearestFrameSearch/makeWorkspace()``.
public final class SearchWorkspace: @unchecked Sendable {
    let bounds: UnsafeMutableBufferPointer<Float>
    let projected: UnsafeMutableBufferPointer<Float>
    let centred: UnsafeMutableBufferPointer<Float>

    init(frames: Int, components: Int, dimension: Int) {
        bounds = .allocate(capacity: frames)
        bounds.initialize(repeating: 0)
        projected = .allocate(capacity: max(1, components))
        projected.initialize(repeating: 0)
        centred = .allocate(capacity: dimension)
        centred.initialize(repeating: 0)
    }

    deinit {
        bounds.deallocate()
        projected.deallocate()
        centred.deallocate()
    }
}
