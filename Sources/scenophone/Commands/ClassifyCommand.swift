import ArgumentParser
import CommandLineSupport
import Foundation
import MediaIO
import Vision

/// `scenophone classify IMAGE…`: what an EfficientNet-Lite network sees in each picture.
struct ClassifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Name what is in pictures: the most likely ImageNet classes of each image.",
        discussion: """
            Each image (any format ffmpeg reads) is centre-cropped to 0.875 of its short side, \
            resized to the network's input (224×224 for lite0, 240 for lite1, 260 for lite2) with \
            an antialiasing filter, and run through the --model network. This is the same \
            network that embeds corpus and camera frames, so it is a quick way to see what the \
            soundscape will "see".

            The default normalisation, tf, maps pixels to (x − 127) / 128, which is what these \
            TensorFlow-trained weights saw during training; imagenet (mean/std) is offered for \
            comparison and gives slightly different embeddings.
            """)

    @Argument(help: "Image files (PNG, JPEG, WebP, … or a video, whose first frame is used).")
    var images: [String]

    @Option(help: "How many classes to list per image.")
    var top = 5

    @Flag(help: "Print JSON (the model identity and, per image, the classes with probabilities).")
    var json = false

    @Option(
        help: "Input normalisation: tf ((x − 127) / 128, what the weights were trained with) or imagenet.")
    var normalization = Normalization.tensorflow

    @OptionGroup var choice: ModelChoice
    @OptionGroup var model: ModelOptions

    /// Pictures beyond 8192 px a side are scaled down by ffmpeg while decoding, so a huge image
    /// costs at most 200 MB of pixels; the network sees a 224–260 px crop either way.
    static let largestPicture = FrameScaling.fit(width: 8192, height: 8192)

    func validate() throws {
        guard !images.isEmpty else { throw ValidationError("give at least one image file") }
        guard (1...1000).contains(top) else { throw ValidationError("--top must be between 1 and 1000") }
    }

    func run() async throws {
        let files = try model.locate(choice.variant)
        let labels = try ImageNetLabels(contentsOf: files.labels)
        // Decode every image first, so a bad file fails the command before any output.
        let preprocessor = ImagePreprocessor(
            outputSize: files.variant.inputSize, normalization: normalization)
        var inputs: [(path: String, width: Int, height: Int, input: [Float])] = []
        for path in images {
            let picture = try VideoFrameReader.readStill(
                URL(fileURLWithPath: path), scaling: Self.largestPicture)
            var input = [Float](repeating: 0, count: preprocessor.outputSize * preprocessor.outputSize * 3)
            try picture.pixels.withUnsafeBufferPointer { rgb in
                try input.withUnsafeMutableBufferPointer { out in
                    try preprocessor.run(rgb: rgb, width: picture.width, height: picture.height, into: out)
                }
            }
            inputs.append((path, picture.width, picture.height, input))
        }
        let network = try EfficientNetLite(files: files, normalization: normalization)
        var results: [ClassificationReport.Image] = []
        for item in inputs {
            var embedding = [Float](repeating: 0, count: EfficientNetLite.embeddingSize)
            var logits = [Float](repeating: 0, count: EfficientNetLite.classCount)
            try item.input.withUnsafeBufferPointer { input in
                try embedding.withUnsafeMutableBufferPointer { e in
                    try logits.withUnsafeMutableBufferPointer { l in
                        try network.embed(preprocessed: input, count: 1, into: e, logits: l)
                    }
                }
            }
            results.append(
                ClassificationReport.Image(
                    image: item.path, width: item.width, height: item.height,
                    classes: labels.top(top, logits: logits)))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let report = ClassificationReport(model: network.identity, images: results)
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            for result in results {
                print("\(result.image) (\(result.width)×\(result.height))")
                for (rank, prediction) in result.classes.enumerated() {
                    let percent = String(format: "%6.2f%%", Double(prediction.probability) * 100)
                    print("  \(rank + 1). \(percent)  \(prediction.name)  [\(prediction.index)]")
                }
            }
        }
    }
}
