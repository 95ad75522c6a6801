import ArgumentParser
import CommandLineSupport
import Foundation
import Kernels
import Vision

/// `scenophone-bench vision`: single-image EfficientNet-Lite latency against ONNX Runtime.
struct VisionBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vision",
        abstract: "Time one-image EfficientNet-Lite inference against ONNX Runtime, same weights, same run.",
        discussion: """
            Each round times Scenophone's --model network (a preprocessed input of its size → \
            embedding and logits) and then the same checkpoint under ONNX Runtime \
            (../shared/bench/ort_baseline.py for lite0; scripts/ort_lite_baseline.py, which \
            builds the graph of any Lite checkpoint, for the others), at each thread count; the report gives medians per round and the median \
            over rounds, and the ratio scenophone / onnxruntime (below 1 is faster).

            OpenBLAS reads OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE when it loads; unless \
            --keep-openblas-environment is given, the benchmark re-executes itself without them \
            (its own process only) so OpenBLAS picks kernels for this CPU, and prints which it chose.

            The network runs on XNNPACK with the best kernels this CPU has; set \
            SCENOPHONE_KERNELS=portable, avx2 or avx512 to time another path (the header names the \
            kernels that ran).
            """)

    @Option(help: "Timed runs per measurement (the median is reported).")
    var iterations = 300

    @Option(help: "Untimed runs before each measurement.")
    var warmup = 30

    @Option(help: "Alternating rounds of Scenophone and ONNX Runtime.")
    var rounds = 3

    @Option(parsing: .upToNextOption, help: "Thread counts to measure.")
    var threads: [Int] = [1, 2]

    @Flag(help: "Skip ONNX Runtime and time Scenophone alone.")
    var noBaseline = false

    @Flag(help: "Keep OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE as they are.")
    var keepOpenblasEnvironment = false

    @Option(
        help: "The Python interpreter with onnxruntime (default: ~/.cache/scenophone/bench-venv/bin/python).")
    var python: String?

    @Option(
        help:
            "The ONNX Runtime baseline script (default: shared/bench/ort_baseline.py beside the repository).")
    var baselineScript: String?

    @OptionGroup var choice: ModelChoice
    @OptionGroup var model: ModelOptions

    @Flag(help: "Print the results as JSON.")
    var json = false

    /// The environment variable through which the re-executed process learns what was unset.
    static let unsetMarker = "SCENOPHONE_BENCH_UNSET"

    func validate() throws {
        guard iterations >= 1, warmup >= 0, rounds >= 1 else {
            throw ValidationError("--iterations and --rounds must be positive, --warmup not negative")
        }
        guard !threads.isEmpty, threads.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--threads needs positive thread counts")
        }
    }

    func run() async throws {
        if !keepOpenblasEnvironment { try Self.reexecuteWithoutOpenBLASOverrides() }
        let files = try model.locate(choice.variant)
        let baseline =
            noBaseline
            ? nil
            : try OnnxRuntimeBaseline(python: python, script: baselineScript, files: files)
        // OpenBLAS is not on the network's path; parked at one thread, its workers never spin.
        BLAS.setThreads(1)
        do { try KernelSelection.activate() } catch { throw ValidationError(error.description) }
        var networks: [Int: EfficientNetLite] = [:]
        for count in Set(threads) { networks[count] = try EfficientNetLite(files: files, threads: count) }
        let input = Self.randomInput(count: networks[threads[0]]!.inputFloats)
        var report = VisionBenchmarkReport(
            model: files.variant.modelName, inputSize: files.variant.inputSize,
            processor: ProcessorUsage.processorName(), processors: ProcessorUsage.processorCount,
            visionKernels: KernelSelection.summary, openblasCore: BLAS.coreName,
            unsetEnvironment: ProcessInfo.processInfo.environment[Self.unsetMarker]?.split(separator: " ")
                .map(String.init)
                ?? [],
            loadAverageBefore: ProcessorUsage.loadAverage(), loadAverageAfter: [], iterations: iterations,
            warmup: warmup, measurements: [], summary: [])
        if !json { report.printHeader() }
        for round in 1...rounds {
            for count in threads {
                let ours = try measure(networks[count]!, input: input)
                let theirs = try baseline?.measure(threads: count, iterations: iterations, warmup: warmup)
                let row = VisionBenchmarkReport.Measurement(
                    round: round, threads: count, scenophoneMs: ours.median, scenophoneP10Ms: ours.p10,
                    scenophoneP90Ms: ours.p90, otherThreadsCPUMs: ours.otherThreadsCPU,
                    onnxruntimeMs: theirs?.median_ms, onnxruntimeVersion: theirs?.version)
                report.measurements.append(row)
                if !json { report.printMeasurement(row) }
            }
        }
        report.loadAverageAfter = ProcessorUsage.loadAverage()
        report.summarise(threads: threads)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            report.printSummary()
        }
    }

    /// Median, 10th and 90th percentile latency in milliseconds, and the CPU time other threads used.
    private func measure(
        _ network: EfficientNetLite, input: [Float]
    ) throws -> (median: Double, p10: Double, p90: Double, otherThreadsCPU: Double) {
        var embedding = [Float](repeating: 0, count: EfficientNetLite.embeddingSize)
        var logits = [Float](repeating: 0, count: EfficientNetLite.classCount)
        var times: [Double] = []
        times.reserveCapacity(iterations)
        var cpuBefore = 0.0
        try input.withUnsafeBufferPointer { x in
            try embedding.withUnsafeMutableBufferPointer { e in
                try logits.withUnsafeMutableBufferPointer { l in
                    for _ in 0..<warmup { try network.embed(preprocessed: x, count: 1, into: e, logits: l) }
                    cpuBefore = ProcessorUsage.otherThreadsCPUSeconds()
                    let clock = ContinuousClock()
                    for _ in 0..<iterations {
                        let start = clock.now
                        try network.embed(preprocessed: x, count: 1, into: e, logits: l)
                        times.append((clock.now - start).milliseconds)
                    }
                }
            }
        }
        let otherCPU = (ProcessorUsage.otherThreadsCPUSeconds() - cpuBefore) * 1000
        times.sort()
        let pick = { (q: Double) in times[min(times.count - 1, Int(q * Double(times.count)))] }
        let median =
            times.count % 2 == 1
            ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
        return (median, pick(0.1), pick(0.9), otherCPU)
    }

    /// A standard-normal input like the baseline's (Box–Muller over a fixed-seed generator).
    private static func randomInput(count: Int) -> [Float] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (Double(state >> 11) + 0.5) / Double(1 << 53)
        }
        return (0..<count).map { _ in
            Float((-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform()))
        }
    }

    /// Replaces this process with itself minus `OPENBLAS_CORETYPE`/`OPENBLAS_L2_SIZE`, if either is set.
    private static func reexecuteWithoutOpenBLASOverrides() throws {
        var environment = ProcessInfo.processInfo.environment
        let overrides = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"].filter { environment[$0] != nil }
        guard !overrides.isEmpty else { return }
        environment[unsetMarker] = overrides.map { "\($0)=\(environment[$0]!)" }.joined(separator: " ")
        for name in overrides { environment[name] = nil }
        let arguments = CommandLine.arguments
        let cArguments = arguments.map { strdup($0) } + [nil]
        let cEnvironment = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        execve("/proc/self/exe", cArguments, cEnvironment)
        throw OnnxRuntimeBaseline.Failure(
            description: "cannot re-execute without OpenBLAS overrides: errno \(errno)")
    }
}
