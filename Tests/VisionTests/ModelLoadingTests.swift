import Foundation
import TestSupport
import Testing

@testable import Vision

/// Finding the model and refusing damaged or foreign weights with a message that names the problem.
@Suite struct ModelLoadingTests {
    @Test func locateReportsAMissingModelAndHowToInstallIt() throws {
        let empty = try TemporaryDirectory()
        #expect {
            try ModelFiles.locate(directory: empty.url)
        } throws: { error in
            guard case VisionError.modelNotFound(_, _, let missing) = error else { return false }
            return missing == ["efficientnet-lite0.safetensors", "imagenet_classes.txt"]
                && "\(error)".contains("scripts/setup")
        }
    }

    @Test func locateHonoursTheEnvironment() throws {
        let fixture = try ModelFixture(damage: .remove(tensor: "_fc.bias"))
        let files = try ModelFiles.locate(environment: ["SCENOPHONE_MODEL_DIR": fixture.url.path])
        #expect(files.weights == fixture.weights)
        #expect(
            ModelFiles.defaultDirectory(environment: ["XDG_CACHE_HOME": "/c"]).path == "/c/scenophone/models")
    }

    @Test func truncatedWeightsNameTheFirstMissingTensor() throws {
        let fixture = try ModelFixture(damage: .truncate(fraction: 0.5))
        #expect {
            try EfficientNetLite(files: ModelFiles(directory: fixture.url))
        } throws: { error in
            guard case VisionError.truncatedWeights(_, let tensor, _, _) = error else { return false }
            return tensor.hasPrefix("_blocks.") && "\(error)".contains(tensor)
                && "\(error)".contains("truncated")
        }
    }

    /// Block 4 repeats block 3 (5×5 depthwise, 240 channels), so a 3×3 filter there is damage.
    @Test func aWronglyShapedTensorIsNamedWithBothShapes() throws {
        let fixture = try ModelFixture(
            damage: .reshape(tensor: "_blocks.4._depthwise_conv.weight", shape: [240, 1, 3, 3]))
        #expect(
            throws: VisionError.wrongTensorShape(
                fixture.weights, tensor: "_blocks.4._depthwise_conv.weight", expected: [240, 1, 5, 5],
                found: [240, 1, 3, 3])
        ) {
            try EfficientNetLite(files: ModelFiles(directory: fixture.url))
        }
    }

    @Test func aMissingTensorIsNamed() throws {
        let fixture = try ModelFixture(damage: .remove(tensor: "_fc.bias"))
        #expect(throws: VisionError.missingTensor(fixture.weights, tensor: "_fc.bias")) {
            try EfficientNetLite(files: ModelFiles(directory: fixture.url))
        }
    }

    @Test func aFileThatIsNotSafetensorsIsRefused() throws {
        let fixture = try ModelFixture(damage: .garbage)
        #expect {
            try EfficientNetLite(files: ModelFiles(directory: fixture.url))
        } throws: { error in
            guard case VisionError.invalidWeights = error else { return false }
            return "\(error)".contains(fixture.weights.path)
        }
    }

    @Test(arguments: EfficientNetLite.Variant.allCases)
    func theIdentityCarriesTheVariantCheckpointHashAndNormalization(variant: EfficientNetLite.Variant) throws
    {
        let files = try ModelFiles.locate(variant, directory: Paths.modelDirectory)
        let network = try EfficientNetLite(files: files, normalization: .imagenet)
        #expect(network.identity.name == "efficientnet-\(variant.rawValue)")
        #expect(network.identity.weightsSHA256 == variant.checkpointSHA256)
        #expect(network.identity.embeddingSize == 1280)
        #expect(
            network.identity.inputSize
                == [224, 240, 260][EfficientNetLite.Variant.allCases.firstIndex(of: variant)!])
        #expect(network.identity.normalization == .imagenet)
        #expect(network.variant == variant && network.files == files)
    }

    @Test func locateNamesTheMissingVariant() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.copyItem(
            at: Paths.modelDirectory.appendingPathComponent("imagenet_classes.txt"),
            to: directory.file("imagenet_classes.txt"))
        #expect(
            throws: VisionError.modelNotFound(
                .lite2, directory: directory.url, missing: ["efficientnet-lite2.safetensors"])
        ) {
            try ModelFiles.locate(.lite2, directory: directory.url)
        }
        let message = "\(VisionError.modelNotFound(.lite2, directory: directory.url, missing: ["x"]))"
        #expect(message.contains("EfficientNet-Lite2") && message.contains("scripts/setup"))
    }

    /// Lite1's weights under Lite0's file name are refused by the name in their metadata.
    @Test func weightsOfAnotherVariantAreRefused() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.copyItem(
            at: Paths.modelDirectory.appendingPathComponent("efficientnet-lite1.safetensors"),
            to: directory.file("efficientnet-lite0.safetensors"))
        #expect(
            throws: VisionError.wrongModel(
                directory.file("efficientnet-lite0.safetensors"), expected: "efficientnet-lite0",
                found: "efficientnet-lite1")
        ) {
            try EfficientNetLite(files: ModelFiles(directory: directory.url, variant: .lite0))
        }
    }

    /// The network a corpus needs: its variant, its normalisation, its checkpoint, or a clear error.
    @Test func matchingAnIdentityLoadsItsVariantOrSaysWhyNot() throws {
        let lite1 = try EfficientNetLite(files: ModelFiles.locate(.lite1, directory: Paths.modelDirectory))
        var identity = lite1.identity
        identity.normalization = .imagenet
        let matched = try EfficientNetLite(matching: identity, directory: Paths.modelDirectory)
        #expect(matched.variant == .lite1 && matched.identity == identity && matched.inputSize == 240)

        var retrained = identity
        retrained.weightsSHA256 = String(repeating: "0", count: 64)
        #expect(
            throws: VisionError.differentWeights(lite1.files.weights, expected: retrained, found: identity)
        ) {
            try EfficientNetLite(matching: retrained, directory: Paths.modelDirectory)
        }

        var unknown = identity
        unknown.name = "efficientnet-lite4"
        #expect(throws: VisionError.unknownModel("efficientnet-lite4")) {
            try EfficientNetLite(matching: unknown, directory: Paths.modelDirectory)
        }
        #expect("\(VisionError.unknownModel("efficientnet-lite4"))".contains("efficientnet-lite2"))
    }
}
