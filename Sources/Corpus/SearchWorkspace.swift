/// The scratch space of one thread's bounded searches: the blocks' and one block's frames' lower
/// bounds and the query's projection, allocated once by ``NearestFrameSearch/makeWorkspace()``.
public final class SearchWorkspace: @unchecked Sendable {
    let blockBounds: UnsafeMutableBufferPointer<Float>
    let frameBounds: UnsafeMutableBufferPointer<Float>
    let projected: UnsafeMutableBufferPointer<Float>
    let centred: UnsafeMutableBufferPointer<Float>

    init(blocks: Int, blockFrames: Int, components: Int, dimension: Int) {
        blockBounds = .allocate(capacity: max(1, blocks))
        blockBounds.initialize(repeating: 0)
        frameBounds = .allocate(capacity: max(1, blockFrames))
        frameBounds.initialize(repeating: 0)
        projected = .allocate(capacity: max(1, components))
        projected.initialize(repeating: 0)
        centred = .allocate(capacity: dimension)
        centred.initialize(repeating: 0)
    }

    deinit {
        blockBounds.deallocate()
        frameBounds.deallocate()
        projected.deallocate()
        centred.deallocate()
    }
}
