// swift-tools-version:6.2
import PackageDescription

/// Scenophone's benchmarks: a package of their own that depends on the main one by path, so the
/// product's command line keeps only what a user runs. `scripts/bench` builds it in release and runs
/// it; `scripts/test` builds it and runs its tests (small runs of each benchmark), so it cannot rot.
let package = Package(
    name: "scenophone-benchmarks",
    dependencies: [
        .package(name: "scenophone", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
    ],
    targets: [
        .executableTarget(
            name: "scenophone-bench",
            dependencies: [
                .product(name: "ScenophoneKit", package: "scenophone"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/ScenophoneBench"),
        .testTarget(
            name: "BenchmarkCommandTests",
            dependencies: [
                .product(name: "ScenophoneKit", package: "scenophone"),
                .product(name: "ScenophoneTestSupport", package: "scenophone"),
            ]),
    ]
)
