import Foundation
import Kernels
import TestSupport
import Testing

@testable import Vision

/// Each network of the family against the float64 numpy reference (`../shared/bench/lite_ref.py`;
/// `lite0_ref.py` for Lite0): the golden tensors of four photos in `../shared/reference/MODEL`.
///
/// One network per variant serves every test (loading them is the slow part), so the suite runs
/// serially. XNNPACK chooses its kernels once per process: the suite runs on the path
/// `SCENOPHONE_KERNELS` forces, else on the CPU's best; `scripts/test` runs it once per path the CPU has.
@Suite(.serialized) struct GoldenTests {
    typealias Variant = EfficientNetLite.Variant
    static let photos = ["chelsea", "coffee", "astronaut", "rocket"]
    nonisolated(unsafe) static let shared = Dictionary(
        uniqueKeysWithValues: Variant.allCases.map { variant in
            (
                variant,
                Result {
                    try EfficientNetLite(
                        files: ModelFiles.locate(variant, directory: Paths.modelDirectory), maxBatch: 4)
                }
            )
        })

    static func network(_ variant: Variant) throws -> EfficientNetLite {
        try shared[variant]!.get()
    }

    static func reference(_ variant: Variant) -> URL {
        Paths.reference(model: variant.modelName)
    }

    /// The golden input for `name`, turned from NCHW (as stored) into our HWC.
    static func goldenInput(_ variant: Variant, _ name: String, normalization: String = "tf") throws
        -> [Float]
    {
        let nchw = try NumpyArray(
            contentsOf: reference(variant).appendingPathComponent("\(name)_\(normalization)_input.npy"))
        let side = variant.inputSize
        #expect(nchw.shape == [1, 3, side, side])
        let plane = side * side
        return (0..<(plane * 3)).map { i in nchw.values[(i % 3) * plane + i / 3] }
    }

    static func golden(_ variant: Variant, _ name: String, _ kind: String) throws -> [Float] {
        try NumpyArray(contentsOf: reference(variant).appendingPathComponent("\(name)_tf_\(kind).npy")).values
    }

    /// Features and logits of each golden input, one image at a time.
    static func run(_ network: EfficientNetLite, _ input: [Float], count: Int) throws -> (
        features: [Float], logits: [Float]
    ) {
        var features = [Float](repeating: 0, count: count * 1280)
        var logits = [Float](repeating: 0, count: count * 1000)
        try input.withUnsafeBufferPointer { x in
            try features.withUnsafeMutableBufferPointer { f in
                try logits.withUnsafeMutableBufferPointer { l in
                    try network.embed(preprocessed: x, count: count, into: f, logits: l)
                }
            }
        }
        return (features, logits)
    }

    @Test(arguments: Variant.allCases, photos)
    func featuresAndLogitsMatchTheReference(variant: Variant, photo: String) throws {
        let network = try Self.network(variant)
        let output = try Self.run(network, try Self.goldenInput(variant, photo), count: 1)
        let featureError = maxAbsoluteDifference(output.features, try Self.golden(variant, photo, "features"))
        let logitError = maxAbsoluteDifference(output.logits, try Self.golden(variant, photo, "logits"))
        #expect(
            featureError <= 1e-3,
            "\(variant) \(photo) on \(network.kernels): features differ by \(featureError)")
        #expect(
            logitError <= 1e-3, "\(variant) \(photo) on \(network.kernels): logits differ by \(logitError)")
    }

    @Test func theNetworkRunsTheRequestedKernels() throws {
        let network = try Self.network(.lite0)
        let requested = ProcessInfo.processInfo.environment[KernelSelection.environmentVariable]
        #expect(network.kernels == requested.flatMap { KernelPath(rawValue: $0) } ?? KernelPath.best)
    }

    /// The four photos in one batch, on one thread and split over two.
    @Test(arguments: Variant.allCases, [1, 2])
    func aBatchMatchesTheReference(variant: Variant, threads: Int) throws {
        let network =
            threads == 1
            ? try Self.network(variant)
            : try EfficientNetLite(
                files: ModelFiles.locate(variant, directory: Paths.modelDirectory), maxBatch: 4,
                threads: threads)
        let inputs = try Self.photos.flatMap { try Self.goldenInput(variant, $0) }
        let output = try Self.run(network, inputs, count: 4)
        for (i, photo) in Self.photos.enumerated() {
            let featureError = maxAbsoluteDifference(
                output.features[(i * 1280)..<((i + 1) * 1280)], try Self.golden(variant, photo, "features"))
            let logitError = maxAbsoluteDifference(
                output.logits[(i * 1000)..<((i + 1) * 1000)], try Self.golden(variant, photo, "logits"))
            #expect(
                featureError <= 1e-3,
                "\(variant) \(photo) in a batch on \(threads) threads, \(network.kernels): features differ by \(featureError)"
            )
            #expect(
                logitError <= 1e-3,
                "\(variant) \(photo) in a batch on \(threads) threads, \(network.kernels): logits differ by \(logitError)"
            )
        }
    }

    /// One golden input: a photo preprocessed for one network with one normalisation.
    struct GoldenInput: Sendable, CustomTestStringConvertible {
        var variant: Variant
        var photo: String
        var normalization: Normalization
        var testDescription: String { "\(variant) \(photo) \(normalization.rawValue)" }
    }

    /// Our crop and antialiased resize at each network's input size against the reference's.
    @Test(arguments: [
        GoldenInput(variant: .lite0, photo: "chelsea", normalization: .tensorflow),
        GoldenInput(variant: .lite0, photo: "rocket", normalization: .imagenet),
        GoldenInput(variant: .lite1, photo: "coffee", normalization: .tensorflow),
        GoldenInput(variant: .lite2, photo: "astronaut", normalization: .tensorflow),
    ])
    func preprocessingMatchesTheReference(golden: GoldenInput) throws {
        let (variant, photo, normalization) = (golden.variant, golden.photo, golden.normalization)
        let image = try DecodedImage(contentsOf: Paths.reference.appendingPathComponent("\(photo).png"))
        let expected = try Self.goldenInput(variant, photo, normalization: normalization.rawValue)
        var ours = [Float](repeating: 0, count: expected.count)
        let preprocessor = ImagePreprocessor(outputSize: variant.inputSize, normalization: normalization)
        try image.rgb.withUnsafeBufferPointer { rgb in
            try ours.withUnsafeMutableBufferPointer { out in
                try preprocessor.run(rgb: rgb, width: image.width, height: image.height, into: out)
            }
        }
        let error = maxAbsoluteDifference(ours, expected)
        #expect(error <= 1e-4, "\(variant) \(photo): preprocessed input differs by \(error)")
    }

    /// The top class of `photo` from its PNG, through our preprocessing and network.
    static func topClass(_ variant: Variant, photo: String) throws -> ImageNetLabels.Prediction {
        let image = try DecodedImage(contentsOf: Paths.reference.appendingPathComponent("\(photo).png"))
        let labels = try ImageNetLabels(contentsOf: ModelFiles.locate(directory: Paths.modelDirectory).labels)
        let network = try Self.network(variant)
        var embedding = [Float](repeating: 0, count: 1280)
        var logits = [Float](repeating: 0, count: 1000)
        try image.rgb.withUnsafeBufferPointer { rgb in
            try embedding.withUnsafeMutableBufferPointer { e in
                try logits.withUnsafeMutableBufferPointer { l in
                    try network.embed(rgb: rgb, width: image.width, height: image.height, into: e, logits: l)
                }
            }
        }
        return labels.top(1, logits: logits)[0]
    }

    /// Cats 281–285; espresso; missile or "projectile, missile".
    static let acceptedClasses: [(String, Set<Int>)] = [
        ("chelsea", Set(281...285)), ("coffee", [967]), ("rocket", [657, 744]),
    ]

    @Test(arguments: acceptedClasses)
    func lite0TopClassFromThePhoto(photo: String, accepted: Set<Int>) throws {
        let top = try Self.topClass(.lite0, photo: photo)
        #expect(accepted.contains(top.index), "\(photo): top-1 is \(top.name)")
    }

    /// Lite1's and Lite2's top-1 for each photo is the manifest's (Lite1 calls the rocket a space
    /// shuttle; both call the astronaut a barbell).
    @Test(arguments: [Variant.lite1, .lite2], photos)
    func topClassFromThePhotoIsTheManifests(variant: Variant, photo: String) throws {
        let manifest = try JSONSerialization.jsonObject(
            with: Data(contentsOf: Self.reference(variant).appendingPathComponent("manifest.json")))
        let top5 = try #require((manifest as? [String: Any])?["top5"] as? [String: [[Any]]])
        let expected = try #require(top5[photo]?.first?.first as? Int)
        let top = try Self.topClass(variant, photo: photo)
        #expect(
            top.index == expected,
            "\(variant) \(photo): top-1 is \(top.name) [\(top.index)], expected \(expected)")
    }
}
