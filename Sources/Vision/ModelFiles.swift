import Foundation

/// Where one installed EfficientNet-Lite model's files are.
public struct ModelFiles: Hashable, Sendable {
    /// The ImageNet class names' file name (1000 lines), shared by the whole family.
    public static let labelsFileName = "imagenet_classes.txt"

    /// The model directory.
    public var directory: URL
    /// The network these files hold.
    public var variant: EfficientNetLite.Variant
    /// The converted weights (safetensors).
    public var weights: URL { directory.appendingPathComponent(variant.weightsFileName) }
    /// The ImageNet class names.
    public var labels: URL { directory.appendingPathComponent(Self.labelsFileName) }
    /// The original checkpoint (only the ONNX Runtime baseline reads it).
    public var checkpoint: URL { directory.appendingPathComponent(variant.checkpointFileName) }

    /// Names the files in `directory` without checking that they exist.
    ///
    /// - Parameters:
    ///   - directory: the model directory.
    ///   - variant: the network.
    public init(directory: URL, variant: EfficientNetLite.Variant = .default) {
        self.directory = directory
        self.variant = variant
    }

    /// Finds a model: `directory` if given, else `$SCENOPHONE_MODEL_DIR`, else
    /// `${XDG_CACHE_HOME:-~/.cache}/scenophone/models`.
    ///
    /// - Parameters:
    ///   - variant: the network.
    ///   - directory: an explicit directory (the `--model-dir` flag), or `nil`.
    ///   - environment: the variables to consult; the process's own by default.
    /// - Returns: the files, of which the weights and the labels exist.
    /// - Throws: `VisionError.modelNotFound` naming the model, the missing files and how to install them.
    public static func locate(
        _ variant: EfficientNetLite.Variant = .default, directory: URL? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ModelFiles {
        let files = ModelFiles(
            directory: directory ?? defaultDirectory(environment: environment), variant: variant)
        let missing = [files.weights, files.labels].filter { !isFile($0) }.map(\.lastPathComponent)
        guard missing.isEmpty else {
            throw VisionError.modelNotFound(variant, directory: files.directory, missing: missing)
        }
        return files
    }

    /// Finds the model whose embeddings are comparable with `identity`'s (a corpus's model).
    ///
    /// - Parameters:
    ///   - identity: the model a corpus was embedded with.
    ///   - directory: an explicit directory (the `--model-dir` flag), or `nil`.
    ///   - environment: the variables to consult; the process's own by default.
    /// - Returns: the files, of which the weights and the labels exist.
    /// - Throws: `VisionError.unknownModel` when no variant has that name, `.modelNotFound` when it is
    ///   not installed.
    public static func locate(
        for identity: ModelIdentity, directory: URL? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ModelFiles {
        guard let variant = EfficientNetLite.Variant(modelName: identity.name) else {
            throw VisionError.unknownModel(identity.name)
        }
        return try locate(variant, directory: directory, environment: environment)
    }

    /// The directory used when no flag names one.
    ///
    /// - Parameter environment: the variables to consult.
    /// - Returns: `$SCENOPHONE_MODEL_DIR`, else `${XDG_CACHE_HOME:-~/.cache}/scenophone/models`.
    public static func defaultDirectory(environment: [String: String]) -> URL {
        if let dir = environment["SCENOPHONE_MODEL_DIR"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        let cache =
            environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return cache.appendingPathComponent("scenophone/models")
    }

    private static func isFile(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
            && !isDirectory.boolValue
    }
}
