#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The monotone map from the distances between the camera frame's embedding and every corpus frame
/// to a probability for each frame: near frames likely, far frames rare but never impossible.
///
/// Distances are first put on a scale that does not depend on the embedding's units or on the corpus:
/// `z = (d − d_min) / (s − d_min)`, with `d_min` the distance to the nearest playable frame and `s`
/// the root-mean-square distance from the picture to every corpus frame, so the nearest frame has
/// `z = 0` and a typical unrelated frame `z ≈ 1`. `s` counts every frame, muted or not, so muting a
/// source does not re-shape the curve of the others; and, unlike the mean distance, it is exactly
/// computable without reading every frame (`√(‖q − μ‖² + mean ‖x − μ‖²)`), which is what lets a
/// search skip the frames it proves beyond ``cutoff(weightRatio:)``. The curve then gives each frame
/// a likeness `w(z)`:
/// - `.plateau` (the paper's figure): `w = 1` up to `plateau`, falling linearly to 0 at
///   `plateau + temperature`, 0 beyond;
/// - `.softmax`: `w = exp(−z / temperature)`.
///
/// Each frame's mass is `w` times its time weight (span length × source weight, see
/// ``SoundBank/frameTimeWeights()``). That mass is scaled to `1 − floor` of the total, and the
/// remaining `floor` is spread over all playable audio in proportion to time weight. Defining the
/// floor as a share of the mass, not a per-frame value, keeps the nearest frames audible however
/// large the corpus is. With `topK > 0`, only the `topK` nearest frames get a likeness; the
/// floor still reaches the others.
public struct DistanceMapping: Sendable, Hashable, Codable {
    /// The curve from normalised distance to likeness.
    public enum Shape: String, Sendable, Hashable, Codable, CaseIterable {
        /// Plateau, then a linear fall to zero: the curve in the paper's figure.
        case plateau
        /// `exp(−z / temperature)`.
        case softmax
    }

    /// The curve.
    public var shape: Shape
    /// Width of the plateau, in units of the distance spread (`.plateau` only).
    public var plateau: Double
    /// Width of the fall (`.plateau`) or the softmax temperature, in units of the distance spread.
    public var temperature: Double
    /// Only this many nearest frames get a likeness; 0 means all.
    public var topK: Int
    /// Share of the probability spread over all playable audio regardless of distance, in [0, 1).
    public var floor: Double

    /// Creates a mapping; the defaults are the paper's curve, tuned on the shared media.
    ///
    /// - Parameters:
    ///   - shape: the curve.
    ///   - plateau: plateau width in spread units.
    ///   - temperature: fall width or softmax temperature in spread units.
    ///   - topK: keep only the `topK` nearest frames (0: all).
    ///   - floor: share of probability spread uniformly over time.
    public init(
        shape: Shape = .plateau, plateau: Double = 0.1, temperature: Double = 0.3, topK: Int = 0,
        floor: Double = 0.02
    ) {
        self.shape = shape
        self.plateau = plateau
        self.temperature = temperature
        self.topK = topK
        self.floor = floor
    }

    /// Checks every setting's range.
    ///
    /// - Throws: ``SynthError/invalidParameter(_:)`` naming the first bad setting.
    public func validate() throws {
        guard plateau >= 0, plateau.isFinite else {
            throw SynthError.invalidParameter("plateau \(plateau) must be ≥ 0")
        }
        guard temperature > 0, temperature.isFinite else {
            throw SynthError.invalidParameter("temperature \(temperature) must be > 0")
        }
        guard topK >= 0 else { throw SynthError.invalidParameter("top-k \(topK) must be ≥ 0") }
        guard floor >= 0, floor < 1 else {
            throw SynthError.invalidParameter("floor \(floor) must be in [0, 1)")
        }
    }

    /// The share of the likeness mass that frames beyond ``cutoff(weightRatio:)`` may hold together.
    public static let negligibleShare = 1e-9

    /// The normalised distance beyond which frames can be left out: their likeness is 0 (`.plateau`:
    /// `plateau + temperature`) or, with `.softmax`, so small that together they hold at most
    /// ``negligibleShare`` of the likeness mass.
    ///
    /// The softmax bound: frames beyond `z_c` hold at most `W·exp(−z_c/T)` of likeness mass (`W` the
    /// total time weight), and the nearest playable frame alone holds at least `w_min` (its likeness
    /// is 1), so `z_c = T·ln(W / (w_min · share))` moves p(t) by at most `share` in total variation.
    /// `topK` needs no care: frames it drops beyond the cutoff had no likeness anyway.
    /// - Parameter weightRatio: the total time weight over the smallest positive one (`W / w_min`).
    /// - Returns: the cutoff `z_c` (infinite when nothing can be left out).
    public func cutoff(weightRatio: Double) -> Double {
        switch shape {
        case .plateau:
            return plateau + temperature
        case .softmax:
            guard weightRatio.isFinite, weightRatio >= 1 else { return .infinity }
            return temperature * log(weightRatio / Self.negligibleShare)
        }
    }

    /// The root-mean-square of the finite distances: the scale `s` when every distance is known.
    ///
    /// - Parameter distances: one distance per corpus frame.
    /// - Returns: `√(mean d²)` over the finite values (0 when there are none).
    public static func rootMeanSquare(of distances: UnsafeBufferPointer<Float>) -> Double {
        var sum = 0.0
        var count = 0
        for distance in distances where distance.isFinite {
            sum += Double(distance) * Double(distance)
            count += 1
        }
        return count > 0 ? (sum / Double(count)).squareRoot() : 0
    }

    /// The likeness of a frame at normalised distance `z`.
    ///
    /// - Parameter z: `(d − d_min) / (s − d_min)`, ≥ 0.
    /// - Returns: a value in [0, 1], non-increasing in `z`.
    @inline(__always)
    public func likeness(_ z: Double) -> Double {
        switch shape {
        case .plateau:
            if z <= plateau { return 1 }
            return max(0, 1 - (z - plateau) / temperature)
        case .softmax:
            return exp(-z / temperature)
        }
    }

    /// Maps distances to a probability per frame, as a background share over every playable frame
    /// and masses of their own for the frames with a likeness. Allocates nothing.
    ///
    /// - Parameters:
    ///   - distances: one distance per frame (non-finite values count as infinitely far: a search may
    ///     give `+∞` to the frames it proved beyond ``cutoff(weightRatio:)``).
    ///   - scale: the root-mean-square distance from the picture to every frame; nil computes it
    ///     from `distances` (``rootMeanSquare(of:)``), which is right only when all are exact.
    ///   - timeWeights: per frame its span length × source weight; 0 excludes the frame.
    ///   - totalTimeWeight: the sum of `timeWeights`.
    ///   - masses: receives the frames' own masses, indexed by frame; must be zero on entry except
    ///     at frames this call lists (the caller clears the last call's frames).
    ///   - frames: receives the frames given a mass, room for one per frame.
    ///   - scratch: room for one value per frame, used by `topK`.
    /// - Returns: the background share (the floor, or everything when no frame has a likeness; 0
    ///   when no frame is playable) and how many frames were written to `frames`. The background
    ///   spread by time weight plus the masses sum to 1.
    public func map(
        distances: UnsafeBufferPointer<Float>, scale: Double? = nil, timeWeights: UnsafeBufferPointer<Double>,
        totalTimeWeight: Double, into masses: UnsafeMutableBufferPointer<Double>,
        frames: UnsafeMutableBufferPointer<Int32>, scratch: UnsafeMutableBufferPointer<Float>
    ) -> (background: Double, frameCount: Int) {
        let count = distances.count
        precondition(
            timeWeights.count == count && masses.count == count && frames.count >= count
                && scratch.count >= count)
        guard totalTimeWeight > 0 else { return (0, 0) }
        // The frames with an exact distance: at scale, a few hundred of a million, so the scan
        // skips sixteen infinite distances at a time (NaN, too, fails the comparison).
        var nearest = Float.infinity
        var playable = 0
        func consider(_ index: Int) {
            let distance = distances[index]
            guard distance.isFinite, timeWeights[index] > 0 else { return }
            nearest = min(nearest, distance)
            frames[playable] = Int32(index)
            playable += 1
        }
        let whole = count & ~15
        if let base = distances.baseAddress {
            for start in stride(from: 0, to: whole, by: 16) {
                let chunk = UnsafeRawPointer(base + start).loadUnaligned(as: SIMD16<Float>.self)
                guard any(chunk .< .infinity) else { continue }
                for index in start..<start + 16 { consider(index) }
            }
        }
        for index in whole..<count { consider(index) }
        var cutoff = Float.infinity
        if topK > 0, topK < playable {
            for slot in 0..<playable { scratch[slot] = distances[Int(frames[slot])] }
            cutoff = kthSmallest(UnsafeMutableBufferPointer(rebasing: scratch[0..<playable]), k: topK - 1)
        }
        let spread = playable > 0 ? (scale ?? Self.rootMeanSquare(of: distances)) - Double(nearest) : 0
        let inverse = spread > 1e-9 * max(1, abs(Double(nearest))) ? 1 / spread : 0
        var likeMass = 0.0
        var liked = 0
        for slot in 0..<playable {
            let index = Int(frames[slot])
            let distance = distances[index]
            guard distance <= cutoff else { continue }
            let mass = timeWeights[index] * likeness(Double(distance - nearest) * inverse)
            guard mass > 0 else { continue }
            masses[index] = mass
            frames[liked] = Int32(index)
            liked += 1
            likeMass += mass
        }
        // Without a likeness there is nothing to prefer: all mass goes to the floor.
        guard likeMass > 0 else { return (1, 0) }
        let likeShare = (1 - floor) / likeMass
        for slot in 0..<liked { masses[Int(frames[slot])] *= likeShare }
        return (floor, liked)
    }
}

/// The `k`-th smallest value (0-based) by quickselect; reorders `values`.
private func kthSmallest(_ values: UnsafeMutableBufferPointer<Float>, k: Int) -> Float {
    var low = 0
    var high = values.count - 1
    while low < high {
        // Median of three keeps sorted or constant runs from going quadratic.
        let middle = (low + high) / 2
        if values[middle] < values[low] { values.swapAt(middle, low) }
        if values[high] < values[low] { values.swapAt(high, low) }
        if values[high] < values[middle] { values.swapAt(high, middle) }
        let pivot = values[middle]
        var i = low
        var j = high
        while i <= j {
            while values[i] < pivot { i += 1 }
            while values[j] > pivot { j -= 1 }
            if i <= j {
                values.swapAt(i, j)
                i += 1
                j -= 1
            }
        }
        if k <= j {
            high = j
        } else if k >= i {
            low = i
        } else {
            return values[k]
        }
    }
    return values[k]
}
