/// The scratch space of one thread's bounded searches: the blocks' and one block's frames' lower
/// bounds, the frames whose bounds are below a threshold with their bounds (up to a quarter of the
/// corpus, past which the search makes a full pass), and the query's projection, allocated once by
/// ``NearestFrameSearch/makeWorkspace()``: 8 bytes a frame of the quarter, 2 MB at 10⁶ frames.
public final class SearchWorkspace: @unchecked Sendable {
    let blockBounds: UnsafeMutableBufferPointer<Float>
    let frameBounds: UnsafeMutableBufferPointer<Float>
    let subBounds: UnsafeMutableBufferPointer<Float>
    let candidateFrames: UnsafeMutableBufferPointer<Int32>
    let candidateBounds: UnsafeMutableBufferPointer<Float>
    let projected: UnsafeMutableBufferPointer<Float>
    let centred: UnsafeMutableBufferPointer<Float>

    init(blocks: Int, blockFrames: Int, candidates: Int, components: Int, dimension: Int) {
        blockBounds = .allocate(capacity: max(1, blocks))
        blockBounds.initialize(repeating: 0)
        candidateFrames = .allocate(capacity: max(1, candidates))
        candidateFrames.initialize(repeating: 0)
        candidateBounds = .allocate(capacity: max(1, candidates))
        candidateBounds.initialize(repeating: 0)
        frameBounds = .allocate(capacity: max(1, blockFrames))
        frameBounds.initialize(repeating: 0)
        subBounds = .allocate(capacity: max(1, blockFrames))
        subBounds.initialize(repeating: 0)
        projected = .allocate(capacity: max(1, components))
        projected.initialize(repeating: 0)
        centred = .allocate(capacity: dimension)
        centred.initialize(repeating: 0)
    }

    deinit {
        blockBounds.deallocate()
        candidateFrames.deallocate()
        candidateBounds.deallocate()
        frameBounds.deallocate()
        subBounds.deallocate()
        projected.deallocate()
        centred.deallocate()
    }
}
