import Vision

/// What `scenophone classify --json` prints: the model, then each image's most likely classes.
struct ClassificationReport: Codable {
    /// One image's classes.
    struct Image: Codable {
        var image: String
        var width: Int
        var height: Int
        var classes: [ImageNetLabels.Prediction]
    }

    var model: ModelIdentity
    var images: [Image]
}
