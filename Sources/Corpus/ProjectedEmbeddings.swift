import COpenBLAS
import Foundation

/// The corpus embeddings projected onto their leading principal components, for a fast first
/// pass over large corpora.
///
/// For frame `x` with mean-centred projection `y = Pᵀ(x − μ)` and residual energy
/// `r² = ‖x − μ‖² − ‖y‖²` (what the components miss), and a query likewise (`y_q`, `r_q`):
/// `‖y_q − y‖² + (r_q − r)²` is a lower bound of the true squared distance (the residuals are
/// vectors of those lengths), and `‖y_q − y‖² + r_q² + r²` its expectation when the two residuals
/// are unrelated. Everything is built with BLAS and LAPACK.
final class ProjectedEmbeddings: @unchecked Sendable {
    /// The number of components kept.
    let dimensions: Int
    /// The share of the sampled variance the components explain.
    let explainedVariance: Double
    private let full: Int
    private let mean: AlignedFloats
    private let basis: AlignedFloats  // dimensions × full, row-major: Pᵀ
    let projected: AlignedFloats  // frames × dimensions
    let projectedNorms: AlignedFloats  // ‖y‖²
    let residuals: AlignedFloats  // r

    /// Builds the projection from (a sample of) the embeddings.
    ///
    /// - Parameters:
    ///   - embeddings: `frames × full` floats, row-major.
    ///   - frames: the number of rows.
    ///   - full: the embedding length.
    ///   - squaredNorms: `‖x‖²` per frame.
    ///   - dimensions: components to keep (fewer than `full`).
    ///   - sampleLimit: at most this many frames, evenly spaced, estimate the covariance.
    /// - Returns: nil when LAPACK is unavailable or the decomposition fails.
    init?(
        embeddings: UnsafePointer<Float>, frames: Int, full: Int, squaredNorms: UnsafePointer<Float>,
        dimensions: Int, sampleLimit: Int = 8_192
    ) {
        guard SymmetricEigensolver.isAvailable, dimensions > 0, dimensions < full, frames > 1 else {
            return nil
        }
        self.dimensions = dimensions
        self.full = full
        let n = Int32(frames)
        let d = Int32(full)
        let k = Int32(dimensions)
        // μ = Xᵀ·1 / n.
        let ones = AlignedFloats(count: frames)
        ones.pointer.initialize(repeating: 1, count: frames)
        mean = AlignedFloats(count: full)
        cblas_sgemv(
            CblasRowMajor, CblasTrans, n, d, 1 / Float(frames), embeddings, d, ones.pointer, 1, 0,
            mean.pointer, 1)

        // Covariance of an evenly spaced sample: C = AᵀA / m with A the centred sample rows.
        let m = min(frames, sampleLimit)
        let sample = AlignedFloats(count: m * full)
        for row in 0..<m {
            (sample.pointer + row * full).update(from: embeddings + (row * frames / m) * full, count: full)
        }
        cblas_sger(CblasRowMajor, Int32(m), d, -1, ones.pointer, 1, mean.pointer, 1, sample.pointer, d)
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
            CblasRowMajor, CblasNoTrans, k, d, 1, basis.pointer, d, mean.pointer, 1, 0,
            meanProjection.pointer, 1)
        cblas_sger(CblasRowMajor, n, k, -1, ones.pointer, 1, meanProjection.pointer, 1, projected.pointer, k)

        // ‖x − μ‖² = ‖x‖² − 2x·μ + ‖μ‖², and r² = ‖x − μ‖² − ‖y‖².
        let dots = AlignedFloats(count: frames)
        cblas_sgemv(CblasRowMajor, CblasNoTrans, n, d, 1, embeddings, d, mean.pointer, 1, 0, dots.pointer, 1)
        let meanNorm = cblas_dsdot(d, mean.pointer, 1, mean.pointer, 1)
        projectedNorms = AlignedFloats(count: frames)
        residuals = AlignedFloats(count: frames)
        for frame in 0..<frames {
            let y = projected.pointer + frame * dimensions
            let yy = cblas_dsdot(k, y, 1, y, 1)
            let centred = Double(squaredNorms[frame]) - 2 * Double(dots.pointer[frame]) + meanNorm
            projectedNorms.pointer[frame] = Float(yy)
            residuals.pointer[frame] = Float(max(0, centred - yy).squareRoot())
        }
    }

    /// Projects a query.
    ///
    /// - Parameters:
    ///   - query: `full` floats.
    ///   - projection: receives `dimensions` floats.
    ///   - centred: `full` floats of scratch.
    /// - Returns: `‖y_q‖²` and the residual length `r_q`.
    func project(
        _ query: UnsafePointer<Float>, into projection: UnsafeMutablePointer<Float>,
        centred: UnsafeMutablePointer<Float>
    ) -> (squaredNorm: Float, residual: Float) {
        centred.update(from: query, count: full)
        cblas_saxpy(Int32(full), -1, mean.pointer, 1, centred, 1)
        cblas_sgemv(
            CblasRowMajor, CblasNoTrans, Int32(dimensions), Int32(full), 1, basis.pointer, Int32(full),
            centred, 1, 0,
            projection, 1)
        let all = cblas_dsdot(Int32(full), centred, 1, centred, 1)
        let kept = cblas_dsdot(Int32(dimensions), projection, 1, projection, 1)
        return (Float(kept), Float(max(0, all - kept).squareRoot()))
    }
}
