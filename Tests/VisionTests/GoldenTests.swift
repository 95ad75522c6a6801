import Foundation
import Kernels
import TestSupport
import Testing

@testable import Vision

/// The network against the float64 numpy reference (`../shared/bench/lite0_ref.py`).
///
/// One network serves every test (loading it is the slow part), so the suite runs serially.
/// XNNPACK chooses its kernels once per process: the suite runs on the path `SCENOPHONE_KERNELS`
/// forces, else on the CPU's best; `scripts/test` runs it once per path the CPU has.
@Suite(.serialized) struct GoldenTests {
    static let photos = ["chelsea", "coffee", "astronaut", "rocket"]
    nonisolated(unsafe) static let shared = Result {
        try EfficientNetLite(files: ModelFiles.locate(directory: Paths.modelDirectory), maxBatch: 4)
    }
    let network: EfficientNetLite

    init() throws {
        network = try Self.shared.get()
    }

    /// The golden input for `name`, turned from NCHW (as stored) into our HWC.
    static func goldenInput(_ name: String, normalization: String = "tf") throws -> [Float] {
        let nchw = try NumpyArray(
            contentsOf: Paths.reference.appendingPathComponent("\(name)_\(normalization)_input.npy"))
        #expect(nchw.shape == [1, 3, 224, 224])
        let plane = 224 * 224
        return (0..<(plane * 3)).map { i in nchw.values[(i % 3) * plane + i / 3] }
    }

    static func golden(_ name: String, _ kind: String) throws -> [Float] {
        try NumpyArray(contentsOf: Paths.reference.appendingPathComponent("\(name)_tf_\(kind).npy")).values
    }

    @Test(arguments: photos)
    func featuresAndLogitsMatchTheReference(photo: String) throws {
        let input = try Self.goldenInput(photo)
        var features = [Float](repeating: 0, count: 1280)
        var logits = [Float](repeating: 0, count: 1000)
        try input.withUnsafeBufferPointer { x in
            try features.withUnsafeMutableBufferPointer { f in
                try logits.withUnsafeMutableBufferPointer { l in
                    try network.embed(preprocessed: x, count: 1, into: f, logits: l)
                }
            }
        }
        let featureError = maxAbsoluteDifference(features, try Self.golden(photo, "features"))
        let logitError = maxAbsoluteDifference(logits, try Self.golden(photo, "logits"))
        #expect(featureError <= 1e-3, "\(photo) on \(network.kernels): features differ by \(featureError)")
        #expect(logitError <= 1e-3, "\(photo) on \(network.kernels): logits differ by \(logitError)")
    }

    @Test func theNetworkRunsTheRequestedKernels() throws {
        let requested = ProcessInfo.processInfo.environment[KernelSelection.environmentVariable]
        #expect(network.kernels == requested.flatMap { KernelPath(rawValue: $0) } ?? KernelPath.best)
    }

    /// The four photos in one batch, on one thread and split over two.
    @Test(arguments: [1, 2])
    func aBatchMatchesTheReference(threads: Int) throws {
        let network =
            threads == 1
            ? self.network
            : try EfficientNetLite(
                files: ModelFiles.locate(directory: Paths.modelDirectory), maxBatch: 4, threads: threads)
        let inputs = try Self.photos.flatMap { try Self.goldenInput($0) }
        var features = [Float](repeating: 0, count: 4 * 1280)
        var logits = [Float](repeating: 0, count: 4 * 1000)
        try inputs.withUnsafeBufferPointer { x in
            try features.withUnsafeMutableBufferPointer { f in
                try logits.withUnsafeMutableBufferPointer { l in
                    try network.embed(preprocessed: x, count: 4, into: f, logits: l)
                }
            }
        }
        for (i, photo) in Self.photos.enumerated() {
            let featureError = maxAbsoluteDifference(
                features[(i * 1280)..<((i + 1) * 1280)], try Self.golden(photo, "features"))
            let logitError = maxAbsoluteDifference(
                logits[(i * 1000)..<((i + 1) * 1000)], try Self.golden(photo, "logits"))
            #expect(
                featureError <= 1e-3,
                "\(photo) in a batch on \(threads) threads, \(network.kernels): features differ by \(featureError)"
            )
            #expect(
                logitError <= 1e-3,
                "\(photo) in a batch on \(threads) threads, \(network.kernels): logits differ by \(logitError)"
            )
        }
    }

    @Test(arguments: [("chelsea", Normalization.tensorflow), ("rocket", .imagenet)])
    func preprocessingMatchesTheReference(photo: String, normalization: Normalization) throws {
        let image = try DecodedImage(contentsOf: Paths.reference.appendingPathComponent("\(photo).png"))
        let expected = try Self.goldenInput(photo, normalization: normalization.rawValue)
        var ours = [Float](repeating: 0, count: expected.count)
        let preprocessor = ImagePreprocessor(normalization: normalization)
        try image.rgb.withUnsafeBufferPointer { rgb in
            try ours.withUnsafeMutableBufferPointer { out in
                try preprocessor.run(rgb: rgb, width: image.width, height: image.height, into: out)
            }
        }
        let error = maxAbsoluteDifference(ours, expected)
        #expect(error <= 1e-4, "\(photo): preprocessed input differs by \(error)")
    }

    /// Cats 281–285; espresso; missile or "projectile, missile".
    static let acceptedClasses: [(String, Set<Int>)] = [
        ("chelsea", Set(281...285)), ("coffee", [967]), ("rocket", [657, 744]),
    ]

    @Test(arguments: acceptedClasses)
    func topClassFromThePhoto(photo: String, accepted: Set<Int>) throws {
        let image = try DecodedImage(contentsOf: Paths.reference.appendingPathComponent("\(photo).png"))
        let labels = try ImageNetLabels(contentsOf: ModelFiles.locate(directory: Paths.modelDirectory).labels)
        var embedding = [Float](repeating: 0, count: 1280)
        var logits = [Float](repeating: 0, count: 1000)
        try image.rgb.withUnsafeBufferPointer { rgb in
            try embedding.withUnsafeMutableBufferPointer { e in
                try logits.withUnsafeMutableBufferPointer { l in
                    try network.embed(rgb: rgb, width: image.width, height: image.height, into: e, logits: l)
                }
            }
        }
        let top = labels.top(5, logits: logits)
        #expect(accepted.contains(top[0].index), "\(photo): top-1 is \(top[0].name)")
    }
}
