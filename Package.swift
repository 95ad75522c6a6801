// swift-tools-version:6.2
import PackageDescription

/// The numeric kernels are hundreds of times slower unoptimised, which would make debug test builds
/// crawl, so these targets (the kernels, the corpus search and the synthesizer's render path) are
/// compiled optimised in debug builds too (release builds are anyway).
///
/// Only `-O`, never a target CPU: the package builds for the toolchain's default target, so the
/// Swift SIMD code is written not to need FMA (`a * b + c`, not `addingProduct`, which would be one
/// `fmaf` call per lane there), and ISA-specific code dispatches at run time instead.
let alwaysOptimised: [SwiftSetting] = [
    .unsafeFlags(["-O"], .when(configuration: .debug))
]

let package = Package(
    name: "scenophone",
    // Linux only (Debian 12, x86-64 tested): Glibc, ALSA and Debian's OpenBLAS. No Apple platform is
    // declared because none would build.
    products: [
        .executable(name: "scenophone", targets: ["scenophone"]),
        // For the benchmarks package (`Benchmarks/`, which depends on this one by path): the modules
        // it measures, the command-line option groups it shares with `scenophone`, and the tests'
        // helpers for its own tests.
        .library(
            name: "ScenophoneKit",
            targets: [
                "Kernels", "Vision", "MediaIO", "Corpus", "Synth", "AudioOutput", "Engine",
                "CommandLineSupport",
            ]),
        .library(name: "ScenophoneTestSupport", targets: ["TestSupport"]),
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
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.0.0"),
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
                "Vision", "MediaIO", "COpenBLAS",
                .product(name: "Crypto", package: "swift-crypto"),
            ], swiftSettings: alwaysOptimised),
        .target(name: "Synth", swiftSettings: alwaysOptimised),
        .target(name: "AudioOutput", dependencies: ["CALSA", "MediaIO"]),
        .target(
            name: "Engine", dependencies: ["Kernels", "Vision", "MediaIO", "Corpus", "Synth", "AudioOutput"]),
        .target(
            name: "WebUI",
            dependencies: [
                "Engine", "Corpus", "AudioOutput", "COpenBLAS",
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
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            resources: [.copy("Public")]),
        .target(
            name: "OSC",
            dependencies: [
                "Engine",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        // The option groups and the progress bar that `scenophone` and the benchmarks share.
        .target(
            name: "CommandLineSupport",
            dependencies: [
                "Vision", "Corpus", "Engine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(
            name: "scenophone",
            dependencies: [
                "Vision", "MediaIO", "Corpus", "Synth", "AudioOutput", "Engine", "WebUI", "OSC",
                "CommandLineSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // Shared test helpers: paths to ../shared and the model, tolerances, .npy reading.
        .target(
            name: "TestSupport",
            dependencies: ["Engine", "Corpus", "Vision", "MediaIO", "AudioOutput", "AllocationCounter"],
            path: "Tests/TestSupport"
        ),
        // Counts each thread's heap allocations, to prove the audio thread makes none.
        .target(name: "AllocationCounter", path: "Tests/AllocationCounter"),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "TestSupport"]),
        .testTarget(name: "VisionTests", dependencies: ["Vision", "Kernels", "TestSupport"]),
        .testTarget(name: "MediaIOTests", dependencies: ["MediaIO", "TestSupport"]),
        .testTarget(name: "CorpusTests", dependencies: ["Corpus", "Vision", "MediaIO", "TestSupport"]),
        .testTarget(name: "SynthTests", dependencies: ["Synth"]),
        .testTarget(name: "AudioOutputTests", dependencies: ["AudioOutput", "MediaIO", "TestSupport"]),
        .testTarget(
            name: "EngineTests",
            dependencies: [
                "Engine", "Corpus", "Vision", "Synth", "MediaIO", "AudioOutput", "AllocationCounter",
                "TestSupport",
            ]),
        .testTarget(
            name: "WebUITests",
            dependencies: [
                "WebUI", "Engine", "AudioOutput", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        // End-to-end tests of the `scenophone` command line, run as a child process.
        .testTarget(name: "OSCTests", dependencies: ["OSC", "TestSupport"]),
        .testTarget(name: "ScenophoneTests", dependencies: ["MediaIO", "Engine", "TestSupport"]),
    ]
)
