import Foundation

/// Where the installed EfficientNet-Lite0 model files are.
public struct ModelFiles: Hashable, Sendable {
    /// The converted weights' file name.
    public static let weightsFileName = "efficientnet-lite0.safetensors"
    /// The ImageNet class names' file name (1000 lines).
    public static let labelsFileName = "imagenet_classes.txt"
    /// The original PyTorch checkpoint's file name (only the ONNX Runtime baseline reads it).
    public static let checkpointFileName = "efficientnet-lite0-57934424.pth"

    /// The model directory.
    public var directory: URL
    /// The converted weights (safetensors).
    public var weights: URL { directory.appendingPathComponent(Self.weightsFileName) }
    /// The ImageNet class names.
    public var labels: URL { directory.appendingPathComponent(Self.labelsFileName) }
    /// The original checkpoint.
    public var checkpoint: URL { directory.appendingPathComponent(Self.checkpointFileName) }

    /// Names the files in `directory` without checking that they exist.
    ///
    /// - Parameter directory: the model directory.
    public init(directory: URL) {
        self.directory = directory
    }

    /// Finds the model: `directory` if given, else `$SCENOPHONE_MODEL_DIR`, else
    /// `${XDG_CACHE_HOME:-~/.cache}/scenophone/models`.
    ///
    /// - Parameters:
    ///   - directory: an explicit directory (the `--model-dir` flag), or `nil`.
    ///   - environment: the variables to consult; the process's own by default.
    /// - Returns: the files, of which the weights and the labels exist.
    /// - Throws: `VisionError.modelNotFound` naming the missing files and how to install them.
    public static func locate(
        directory: URL? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ModelFiles {
        let files = ModelFiles(directory: directory ?? defaultDirectory(environment: environment))
        let missing = [files.weights, files.labels].filter { !isFile($0) }.map(\.lastPathComponent)
        guard missing.isEmpty else {
            throw VisionError.modelNotFound(directory: files.directory, missing: missing)
        }
        return files
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
