/// What produced an embedding: two embeddings are comparable only if their identities are equal.
public struct ModelIdentity: Codable, Hashable, Sendable {
    /// The network, e.g. "efficientnet-lite0".
    public var name: String
    /// The side of the square input image, in pixels.
    public var inputSize: Int
    /// The length of an embedding.
    public var embeddingSize: Int
    /// The sha256 of the original checkpoint the weights were converted from.
    public var weightsSHA256: String
    /// The input normalisation; embeddings differ with it.
    public var normalization: Normalization

    /// Creates an identity.
    ///
    /// - Parameters:
    ///   - name: the network.
    ///   - inputSize: the input side in pixels.
    ///   - embeddingSize: the embedding length.
    ///   - weightsSHA256: the checkpoint's sha256 (lowercase hex).
    ///   - normalization: the input normalisation.
    public init(
        name: String, inputSize: Int, embeddingSize: Int, weightsSHA256: String, normalization: Normalization
    ) {
        self.name = name
        self.inputSize = inputSize
        self.embeddingSize = embeddingSize
        self.weightsSHA256 = weightsSHA256
        self.normalization = normalization
    }
}
