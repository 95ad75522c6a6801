import Foundation
import Kernels
import Synth

/// The benchmarks' stand-in for a large corpus of EfficientNet-Lite0 video embeddings (one
/// generator for `bench corpus` and `bench synth`).
///
/// Real pooled CNN features of video are far from i.i.d. noise, and the vision update's pruning
/// lives on the difference: their variance sits in few directions, and a frame's neighbours in time
/// are its neighbours in space. So the corpus is made of clips of `clipLength` frames (100 s at
/// 1 fps). Each frame is `max(0, offset + F·z + noise)`: `F` maps `factors` latent factors to the
/// 1280 features, factor `i` has variance `i^(−exponent)` (a power-law spectrum, as measured on
/// real embeddings); a clip starts at a random latent point and walks from it, each step a
/// `drift` fraction of the latent spread; `noise` is an isotropic floor in every feature.
///
/// `drift` and `noise` are calibrated against EfficientNet-Lite0 embeddings of the film in
/// `../shared/media` at 1 fps (71 frames): one synthetic clip of 71 frames should have the same share
/// of variance in its leading 16 and 32 principal components (real 63 % and 82 %; synthetic 62 % and
/// 76 %) and the same nearest-frame distance over RMS distance for queries half-way between two
/// consecutive frames (real median 0.46; synthetic 0.41). `bench synth` prints both figures for the
/// corpus it measures (`--corpus` for a real one); docs/synthesis.md has the comparison.
struct SyntheticEmbeddings {
    /// Features per embedding (EfficientNet-Lite0's).
    static let dimension = 1280
    /// Frames per clip.
    var clipLength = 100
    /// Latent factors.
    var factors = 256
    /// Factor `i` has variance `i^(−exponent)`.
    var exponent = 1.0
    /// A step between consecutive frames, as a fraction of the latent spread.
    var drift = 0.08
    /// The standard deviation of the isotropic noise in every feature.
    var noise: Float = 0.16
    /// Added to every feature before clipping at 0 (pooled ReLU6 features are mostly positive).
    var offset: Float = 0.4

    private let loadings: [Float]
    private var random: Xoshiro256

    /// Prepares a generator.
    ///
    /// - Parameter seed: the seed; the same seed gives the same embeddings.
    init(seed: UInt64) {
        random = Xoshiro256(seed: seed)
        let dimension = Self.dimension
        let factors = self.factors
        var generator = random
        loadings = (0..<factors * dimension).map { _ in
            Float(Self.normal(&generator)) / Float(dimension).squareRoot() * 8
        }
        random = generator
    }

    /// Fills `frames` embeddings, clip after clip, continuing from the previous call's random state.
    ///
    /// - Parameters:
    ///   - buffer: `frames × dimension` floats, row-major.
    ///   - frames: how many embeddings.
    mutating func fill(_ buffer: UnsafeMutableBufferPointer<Float>, frames: Int) {
        let dimension = Self.dimension
        precondition(buffer.count >= frames * dimension)
        let spread = (0..<factors).map { Float(pow(Double($0 + 1), -exponent / 2)) }
        var latent = [Float](repeating: 0, count: frames * factors)
        var point = [Float](repeating: 0, count: factors)
        for frame in 0..<frames {
            for i in 0..<factors {
                let step = Float(Self.normal(&random)) * spread[i]
                point[i] = frame % clipLength == 0 ? step : point[i] + Float(drift) * step
                latent[frame * factors + i] = point[i]
            }
        }
        for i in 0..<frames * dimension { buffer[i] = offset + Float(Self.normal(&random)) * noise }
        latent.withUnsafeBufferPointer { z in
            loadings.withUnsafeBufferPointer { f in
                BLAS.multiply(
                    m: frames, n: dimension, k: factors, a: z.baseAddress!, lda: factors, b: f.baseAddress!,
                    ldb: dimension, c: buffer.baseAddress!, ldc: dimension, accumulate: true)
            }
        }
        for i in 0..<frames * dimension where buffer[i] < 0 { buffer[i] = 0 }
    }

    /// A standard normal deviate (Box–Muller).
    private static func normal(_ random: inout Xoshiro256) -> Double {
        (-2 * log(1 - random.unitDouble())).squareRoot() * cos(2 * Double.pi * random.unitDouble())
    }
}
