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
            guard case VisionError.modelNotFound(_, let missing) = error else { return false }
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

    @Test func aWronglyShapedTensorIsNamedWithBothShapes() throws {
        let fixture = try ModelFixture(
            damage: .reshape(tensor: "_blocks.3._depthwise_conv.weight", shape: [144, 1, 3, 3]))
        #expect(
            throws: VisionError.wrongTensorShape(
                fixture.weights, tensor: "_blocks.3._depthwise_conv.weight", expected: [144, 1, 5, 5],
                found: [144, 1, 3, 3])
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

    @Test func theIdentityCarriesTheCheckpointHashAndNormalization() throws {
        let files = try ModelFiles.locate(directory: Paths.modelDirectory)
        let network = try EfficientNetLite(files: files, normalization: .imagenet)
        #expect(network.identity.name == "efficientnet-lite0")
        #expect(
            network.identity.weightsSHA256
                == "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db")
        #expect(network.identity.embeddingSize == 1280)
        #expect(network.identity.inputSize == 224)
        #expect(network.identity.normalization == .imagenet)
    }
}
