import COpenBLAS
import Foundation

/// The corpus embeddings projected onto their leading principal components: lower bounds of every
/// frame's distance to a query from a small fraction of the bytes.
///
/// For frame `x` with mean-centred projection `y = Pᵀ(x − μ)` and residual length
/// `r = √(‖x − μ‖² − ‖y‖²)` (what the components miss), and a query likewise (`y_q`, `r_q`), the
/// squared distance splits into the part inside the components, `‖y_q − y‖²`, and the part
/// outside, the squared distance between two vectors of lengths `r_q` and `r`, at least
/// `(r_q − r)²`. So `‖y_q − y‖² + (r_q − r)² ≤ ‖q − x‖²`, tight when the components hold most of the
/// variance. Everything is built with BLAS and LAPACK.
final class ProjectedEmbeddings: @unchecked Sendable {
    /// The number of components kept.
    let dimensions: Int
    /// The share of the sampled variance the components explain.
    let explainedVariance: Double
    private let full: Int
    private let mean: UnsafePointer<Float>
    private let basis: AlignedFloats  // dimensions × full, row-major: Pᵀ
    private let projected: AlignedFloats  // frames × dimensions
    private let projectedNorms: AlignedFloats  // ‖y‖²
    private let residuals: AlignedFloats  // r

    /// Builds the projection from (a sample of) the embeddings.
    ///
    /// - Parameters:
    ///   - embeddings: `frames × full` floats, row-major.
    ///   - frames: the number of rows.
    ///   - full: the embedding length.
    ///   - mean: the mean embedding, `full` floats, kept alive by the caller as long as this.
    ///   - dimensions: components to keep (fewer than `full`).
    ///   - sampleLimit: at most this many frames, evenly spaced, estimate the covariance.
    /// - Returns: nil when LAPACK is unavailable or the decomposition fails.
    init?(
        embeddings: UnsafePointer<Float>, frames: Int, full: Int, mean: UnsafePointer<Float>,
        dimensions: Int, sampleLimit: Int = 8_192
    ) {
        guard SymmetricEigensolver.isAvailable, dimensions > 0, dimensions < full, frames > 1 else {
            return nil
        }
        self.dimensions = dimensions
        self.full = full
        self.mean = mean
        let n = Int32(frames)
        let d = Int32(full)
        let k = Int32(dimensions)
        let ones = AlignedFloats(count: frames)
        ones.pointer.initialize(repeating: 1, count: frames)

        // Covariance of an evenly spaced sample: C = AᵀA / m with A the centred sample rows.
        let m = min(frames, sampleLimit)
        let sample = AlignedFloats(count: m * full)
        for row in 0..<m {
            (sample.pointer + row * full).update(from: embeddings + (row * frames / m) * full, count: full)
        }
        cblas_sger(CblasRowMajor, Int32(m), d, -1, ones.pointer, 1, mean, 1, sample.pointer, d)
        let covariance = AlignedFloats(count: full * full)
        cblas_ssyrk(
            CblasRowMajor, CblasUpper, CblasTrans, d, Int32(m), 1 / Float(m), sample.pointer, d, 0,
            covariance.pointer, d)
        // Row-major upper is column-major lower: fill the other triangle so either convention reads it.
        for i in 0..<full {
            for j in 0..<i { covariance.pointer[i * full + j] = covariance.pointer[j * full + i] }
        }
        guard let values = SymmetricEigensolver.decompose(covariance.pointer, order: full) else { return nil }
        let total = values.reduce(0.0) { $0 + Double(max(0, $1)) }
        let kept = values.suffix(dimensions).reduce(0.0) { $0 + Double(max(0, $1)) }
        explainedVariance = total > 0 ? kept / total : 1
        basis = AlignedFloats(count: dimensions * full)
        basis.pointer.update(from: covariance.pointer + (full - dimensions) * full, count: dimensions * full)

        // Y = X·P − 1·(μᵀP).
        projected = AlignedFloats(count: frames * dimensions)
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, n, k, d, 1, embeddings, d, basis.pointer, d, 0,
            projected.pointer, k)
        let meanProjection = AlignedFloats(count: dimensions)
        cblas_sgemv(
            CblasRowMajor, CblasNoTrans, k, d, 1, basis.pointer, d, mean, 1, 0, meanProjection.pointer, 1)
        cblas_sger(CblasRowMajor, n, k, -1, ones.pointer, 1, meanProjection.pointer, 1, projected.pointer, k)

        // r² = ‖x − μ‖² − ‖y‖², with ‖x − μ‖² from the difference itself: the bound's residual term
        // must not inherit the cancellation of ‖x‖² − 2x·μ + ‖μ‖².
        projectedNorms = AlignedFloats(count: frames)
        residuals = AlignedFloats(count: frames)
        for frame in 0..<frames {
            let y = projected.pointer + frame * dimensions
            let yy = cblas_dsdot(k, y, 1, y, 1)
            let centred = Double(SquaredDistance.between(embeddings + frame * full, mean, count: full))
            projectedNorms.pointer[frame] = Float(yy)
            residuals.pointer[frame] = Float(max(0, centred - yy).squareRoot())
        }
    }

    /// Every frame's squared lower bound `‖y_q − y‖² + (r_q − r)²` for a query.
    ///
    /// - Parameters:
    ///   - query: `full` floats.
    ///   - bounds: receives `frames` squared lower bounds.
    ///   - projected: `dimensions` floats of scratch.
    ///   - centred: `full` floats of scratch.
    ///   - frames: the number of frames (as at `init`).
    func squaredLowerBounds(
        of query: UnsafePointer<Float>, into bounds: UnsafeMutablePointer<Float>,
        projected queryProjection: UnsafeMutablePointer<Float>, centred: UnsafeMutablePointer<Float>,
        frames: Int
    ) {
        centred.update(from: query, count: full)
        cblas_saxpy(Int32(full), -1, mean, 1, centred, 1)
        cblas_sgemv(
            CblasRowMajor, CblasNoTrans, Int32(dimensions), Int32(full), 1, basis.pointer, Int32(full),
            centred, 1, 0, queryProjection, 1)
        let all = cblas_dsdot(Int32(full), centred, 1, centred, 1)
        let kept = cblas_dsdot(Int32(dimensions), queryProjection, 1, queryProjection, 1)
        let queryNorm = Float(kept)
        let queryResidual = Float(max(0, all - kept).squareRoot())
        RowProducts.multiply(
            projected.pointer, rows: frames, columns: dimensions, by: queryProjection, scale: -2, into: bounds
        )
        let norms = projectedNorms.pointer
        let lengths = residuals.pointer
        for frame in 0..<frames {
            let gap = queryResidual - lengths[frame]
            bounds[frame] = max(0, bounds[frame] + norms[frame] + queryNorm) + gap * gap
        }
    }
}
