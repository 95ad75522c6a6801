import Foundation

/// Where the tests find the package, the read-only `../shared` material and the installed model.
public enum Paths {
    /// The package root (the directory holding Package.swift), found from this source file.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // TestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// `../shared` beside the repository: media, golden tensors, benchmarks. Never copied into the repo.
    public static let shared: URL = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")

    /// `../shared/media`: CC-licensed recordings, photos and a film clip (see its CREDITS.md).
    public static let media: URL = shared.appendingPathComponent("media")

    /// `../shared/reference/efficientnet-lite0`: golden inputs, features and logits.
    public static let reference: URL = reference(model: "efficientnet-lite0")

    /// `../shared/reference/MODEL`: one model's golden inputs, features and logits, and its manifest.
    ///
    /// - Parameter model: the model's name, e.g. "efficientnet-lite1".
    /// - Returns: the directory.
    public static func reference(model: String) -> URL {
        shared.appendingPathComponent("reference/\(model)")
    }

    /// The model directory `scripts/setup` installs into, honouring `SCENOPHONE_MODEL_DIR` as the app does.
    public static var modelDirectory: URL {
        let environment = ProcessInfo.processInfo.environment
        if let dir = environment["SCENOPHONE_MODEL_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        let cache =
            environment["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return cache.appendingPathComponent("scenophone/models")
    }

    /// The `scenophone` executable that `swift test` built beside the test bundle.
    public static var scenophoneExecutable: URL { besideTestBundle("scenophone") }

    /// The `scenophone-bench` executable that the benchmarks package's `swift test` built.
    public static var benchmarkExecutable: URL { besideTestBundle("scenophone-bench") }

    private static func besideTestBundle(_ name: String) -> URL {
        let testBundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return testBundle.deletingLastPathComponent().appendingPathComponent(name)
    }
}
