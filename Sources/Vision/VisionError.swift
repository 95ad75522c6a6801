import Foundation
import Kernels

/// Why the model could not be loaded or an image could not be embedded.
public enum VisionError: Error, CustomStringConvertible, Equatable {
    /// The model directory lacks a file the network needs.
    case modelNotFound(EfficientNetLite.Variant, directory: URL, missing: [String])
    /// A corpus names a model this version of Scenophone does not run.
    case unknownModel(String)
    /// The weights file holds another network than its name says (its metadata names `found`).
    case wrongModel(URL, expected: String, found: String)
    /// The installed weights are not the ones a corpus was embedded with.
    case differentWeights(URL, expected: ModelIdentity, found: ModelIdentity)
    /// A file exists but cannot be read.
    case unreadable(URL, reason: String)
    /// The weights file is not a usable safetensors file.
    case invalidWeights(URL, reason: String)
    /// The weights file ends before the data of this tensor.
    case truncatedWeights(URL, tensor: String, needed: Int, available: Int)
    /// A tensor the network needs is absent.
    case missingTensor(URL, tensor: String)
    /// A tensor has another shape than the network needs.
    case wrongTensorShape(URL, tensor: String, expected: [Int], found: [Int])
    /// A tensor is stored in a type other than 32-bit float.
    case wrongTensorType(URL, tensor: String, dtype: String)
    /// The labels file does not hold the 1000 ImageNet class names.
    case invalidLabels(URL, reason: String)
    /// The image has no pixels.
    case emptyImage(width: Int, height: Int)
    /// A caller's buffer has the wrong number of elements.
    case bufferSize(what: String, expected: Int, found: Int)
    /// More images than the network was built for.
    case batchTooLarge(requested: Int, maximum: Int)
    /// The vision kernels could not be chosen or initialised.
    case kernels(KernelSelectionError)
    /// XNNPACK refused a call while the network was being built or run.
    case engineFailure(call: String, status: Int)

    public var description: String {
        switch self {
        case .modelNotFound(let variant, let directory, let missing):
            return
                "no \(variant.displayName) model in \(directory.path) (missing \(missing.joined(separator: ", "))): "
                + "run scripts/setup, or point --model-dir or SCENOPHONE_MODEL_DIR at a model directory"
        case .unknownModel(let name):
            let known = EfficientNetLite.Variant.allCases.map(\.modelName).joined(separator: ", ")
            return "the model \(name) is not one this Scenophone runs (\(known)); index the corpus again"
        case .wrongModel(let url, let expected, let found):
            return "\(url.path): holds \(found), not \(expected); run scripts/setup again"
        case .differentWeights(let url, let expected, let found):
            return
                "\(url.path): converted from checkpoint \(found.weightsSHA256.prefix(12))…, but the corpus was "
                + "embedded with \(expected.name) from checkpoint \(expected.weightsSHA256.prefix(12))…; "
                + "install those weights (scripts/setup) or index the corpus again"
        case .unreadable(let url, let reason):
            return "\(url.path): cannot read: \(reason)"
        case .invalidWeights(let url, let reason):
            return "\(url.path): not a usable safetensors weights file: \(reason)"
        case .truncatedWeights(let url, let tensor, let needed, let available):
            return "\(url.path): truncated: tensor \(tensor) needs bytes up to \(needed) "
                + "but the file has \(available); run scripts/setup again"
        case .missingTensor(let url, let tensor):
            return "\(url.path): tensor \(tensor) is missing; this is not an EfficientNet-Lite checkpoint"
        case .wrongTensorShape(let url, let tensor, let expected, let found):
            return
                "\(url.path): tensor \(tensor) has shape \(found), expected \(expected)"
        case .wrongTensorType(let url, let tensor, let dtype):
            return "\(url.path): tensor \(tensor) is \(dtype), expected F32"
        case .invalidLabels(let url, let reason):
            return "\(url.path): not an ImageNet class list: \(reason)"
        case .emptyImage(let width, let height):
            return "the image is empty (\(width)×\(height) pixels)"
        case .bufferSize(let what, let expected, let found):
            return "\(what) holds \(found) elements, expected \(expected)"
        case .batchTooLarge(let requested, let maximum):
            return "a batch of \(requested) images exceeds this network's maximum batch of \(maximum)"
        case .kernels(let error):
            return error.description
        case .engineFailure(let call, let status):
            return "the vision engine (XNNPACK) failed: \(call) returned status \(status)"
        }
    }
}
