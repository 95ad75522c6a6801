import Foundation
import TestSupport
import Testing

@testable import Vision

/// Images and buffers the network cannot use are refused, never read out of bounds.
@Suite struct InputValidationTests {
    @Test(arguments: [(0, 0), (0, 10), (10, 0)])
    func anEmptyImageIsRefused(width: Int, height: Int) throws {
        let preprocessor = ImagePreprocessor()
        var out = [Float](repeating: 0, count: 224 * 224 * 3)
        #expect(throws: VisionError.emptyImage(width: width, height: height)) {
            try out.withUnsafeMutableBufferPointer { o in
                try [UInt8]().withUnsafeBufferPointer {
                    try preprocessor.run(rgb: $0, width: width, height: height, into: o)
                }
            }
        }
    }

    @Test func aShortPixelBufferIsRefused() throws {
        let preprocessor = ImagePreprocessor()
        var out = [Float](repeating: 0, count: 224 * 224 * 3)
        #expect(throws: VisionError.bufferSize(what: "the 4×4 RGB image", expected: 48, found: 47)) {
            try out.withUnsafeMutableBufferPointer { o in
                try [UInt8](repeating: 0, count: 47).withUnsafeBufferPointer {
                    try preprocessor.run(rgb: $0, width: 4, height: 4, into: o)
                }
            }
        }
    }

    @Test func tinyAndExtremeAspectImagesArePreprocessed() throws {
        let preprocessor = ImagePreprocessor()
        var out = [Float](repeating: .nan, count: 224 * 224 * 3)
        for (width, height) in [(1, 1), (1, 300), (500, 2)] {
            let pixels = [UInt8](repeating: 255, count: width * height * 3)
            try out.withUnsafeMutableBufferPointer { o in
                try pixels.withUnsafeBufferPointer {
                    try preprocessor.run(rgb: $0, width: width, height: height, into: o)
                }
            }
            // A white image is (255 − 127) / 128 = 1 everywhere.
            #expect(
                maxAbsoluteDifference(out, [Float](repeating: 1, count: out.count)) < 1e-5,
                "\(width)×\(height)")
        }
    }

    @Test func batchesBeyondTheMaximumAreRefused() throws {
        let network = try EfficientNetLite(
            files: ModelFiles.locate(directory: Paths.modelDirectory), maxBatch: 1)
        let input = [Float](repeating: 0, count: 2 * network.inputFloats)
        var embeddings = [Float](repeating: 0, count: 2 * 1280)
        #expect(throws: VisionError.batchTooLarge(requested: 2, maximum: 1)) {
            try input.withUnsafeBufferPointer { x in
                try embeddings.withUnsafeMutableBufferPointer {
                    try network.embed(preprocessed: x, count: 2, into: $0)
                }
            }
        }
    }
}
