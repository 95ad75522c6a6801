// swift-tools-version:6.2
import PackageDescription

/// The numeric kernels are hundreds of times slower unoptimised, which would make debug test builds
/// crawl, so these targets (the kernels, the corpus search and the synthesizer's render path) are
/// always compiled optimised, with FMA/AVX2 code generation (without a target CPU, SIMD
/// `addingProduct` lowers to one `fmaf` call per lane).
let alwaysOptimised: [SwiftSetting] = [
    .unsafeFlags(["-O", "-target-cpu", "haswell"])
]

let package = Package(
    name: "scenophone",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "scenophone", targets: ["scenophone"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.20.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.6.0"),
    ],
    targets: [
        // C libraries: headers and tiny static-inline shims only.
        .systemLibrary(
            name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(
            name: "CALSA", path: "Sources/CALSA", pkgConfig: "alsa",
            providers: [.apt(["libasound2-dev"])]),
        // The vision network's engine: XNNPACK picks its kernels for the running CPU (via cpuinfo).
        .systemLibrary(
            name: "CXNNPACK", path: "Sources/CXNNPACK",
            providers: [.apt(["libxnnpack-dev", "libpthreadpool-dev", "libcpuinfo-dev"])]),

        .target(name: "Kernels", dependencies: ["COpenBLAS", "CXNNPACK"], swiftSettings: alwaysOptimised),
        .target(name: "Vision", dependencies: ["Kernels", "CXNNPACK"]),
        .target(name: "MediaIO"),
        .target(
            name: "Corpus",
            dependencies: [
                "Vision", "MediaIO", "Kernels", "COpenBLAS",
                .product(name: "Crypto", package: "swift-crypto"),
            ], swiftSettings: alwaysOptimised),
        .target(name: "Synth", swiftSettings: alwaysOptimised),
        .target(name: "AudioOutput", dependencies: ["CALSA", "Synth", "MediaIO"]),
        .target(name: "Engine", dependencies: ["Vision", "MediaIO", "Corpus", "Synth", "AudioOutput"]),
        .target(
            name: "WebUI",
            dependencies: [
                "Engine",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Public")]),
        .executableTarget(
            name: "scenophone",
            dependencies: [
                "Kernels", "Vision", "MediaIO", "Corpus", "Synth", "AudioOutput", "Engine", "WebUI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Shared test helpers: paths to ../shared and the model, tolerances, .npy reading.
        .target(
            name: "TestSupport", dependencies: ["Engine", "AudioOutput", "AllocationCounter"],
            path: "Tests/TestSupport"
        ),
        // Counts each thread's heap allocations, to prove the audio thread makes none.
        .target(name: "AllocationCounter", path: "Tests/AllocationCounter"),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "TestSupport"]),
        .testTarget(name: "VisionTests", dependencies: ["Vision", "Kernels", "TestSupport"]),
        .testTarget(name: "MediaIOTests", dependencies: ["MediaIO", "TestSupport"]),
        .testTarget(name: "CorpusTests", dependencies: ["Corpus", "TestSupport"]),
        .testTarget(name: "SynthTests", dependencies: ["Synth", "TestSupport"]),
        .testTarget(name: "AudioOutputTests", dependencies: ["AudioOutput", "TestSupport"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "TestSupport"]),
        .testTarget(
            name: "WebUITests",
            dependencies: [
                "WebUI", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ]),
        // End-to-end tests of the `scenophone` command line, run as a child process.
        .testTarget(name: "ScenophoneTests", dependencies: ["TestSupport"]),
    ]
)
