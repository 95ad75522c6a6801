/// How a picture's embedding is compared with the corpus frames.
///
/// Every measure is the Euclidean distance in a transformed space, so that one search (one
/// matrix-vector product, the principal-component lower bounds, the root-mean-square scale and the
/// top-k) serves them all unchanged:
/// - `.euclidean`: `x` itself (the paper's);
/// - `.cosine`: `x / ‖x‖`, where `‖x̂ − ŷ‖² = 2 − 2 cos(x, y)`;
/// - `.centredCosine`: `(x − μ) / ‖x − μ‖` with μ the corpus's mean embedding: the cosine of the
///   embeddings' offsets from what every corpus frame shares. EfficientNet features are
///   non-negative pooled activations with a large common component; centring removes it, so the
///   "hub" frames near to everything lose their pull.
///
/// Distances in the transformed space rank frames exactly as the similarity does, and a mean of
/// transformed queries accumulates the similarity exactly (see `SceneEvidence` in Engine).
public enum SimilarityMeasure: String, Sendable, Hashable, Codable, CaseIterable {
    /// Euclidean distance between the raw embeddings (the paper's).
    case euclidean
    /// Cosine similarity: the distance between unit-length embeddings.
    case cosine
    /// Cosine similarity of the embeddings' offsets from the corpus mean.
    case centredCosine = "centred-cosine"

    /// The measure a listening session uses unless told otherwise: the best on the development
    /// set (`docs/evaluation.md`, section 6).
    public static let standard = SimilarityMeasure.cosine

    /// Whether the transform needs the corpus's mean embedding.
    public var needsCentre: Bool { self == .centredCosine }

    /// Maps one embedding into the measure's space.
    ///
    /// A vector of length 0 (after centring) has no direction: it maps to 0, equally far from
    /// every unit vector.
    /// - Parameters:
    ///   - embedding: `count` floats.
    ///   - output: receives `count` floats (may be `embedding` itself).
    ///   - count: the length.
    ///   - centre: the corpus's mean embedding, `count` values (used by `.centredCosine` only).
    public func transform(
        _ embedding: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, count: Int,
        centre: UnsafePointer<Double>?
    ) {
        switch self {
        case .euclidean:
            if UnsafePointer(output) != embedding { output.update(from: embedding, count: count) }
        case .cosine:
            var norm = 0.0
            for i in 0..<count { norm += Double(embedding[i]) * Double(embedding[i]) }
            let scale = norm > 0 ? 1 / norm.squareRoot() : 0
            for i in 0..<count { output[i] = Float(Double(embedding[i]) * scale) }
        case .centredCosine:
            guard let centre else { preconditionFailure("centred cosine needs the corpus mean") }
            var norm = 0.0
            for i in 0..<count {
                let offset = Double(embedding[i]) - centre[i]
                norm += offset * offset
            }
            let scale = norm > 0 ? 1 / norm.squareRoot() : 0
            for i in 0..<count { output[i] = Float((Double(embedding[i]) - centre[i]) * scale) }
        }
    }
}
