import CXNNPACK
import Foundation

/// The vision kernels this process runs: XNNPACK, initialised once with the best `KernelPath` the
/// CPU has, or the one `SCENOPHONE_KERNELS` names.
///
/// XNNPACK reads the CPU's features once, when it initialises, and keeps its kernel choice for the
/// life of the process; forcing a path therefore works through the environment (tests and
/// benchmarks run a child process per path).
public enum KernelSelection {
    /// The environment variable that forces a path: `portable`, `avx2` or `avx512`.
    public static let environmentVariable = "SCENOPHONE_KERNELS"

    /// The path XNNPACK was initialised with, initialising it on first use.
    ///
    /// - Returns: the path in use.
    /// - Throws: `KernelSelectionError` when the variable names an unknown path or one this CPU
    ///   lacks, or XNNPACK cannot initialise.
    @discardableResult
    public static func activate() throws(KernelSelectionError) -> KernelPath {
        try outcome.get()
    }

    /// One line for reports: the library, the path, its instruction sets, and how it was chosen.
    public static var summary: String {
        switch outcome {
        case .success(let path):
            let how = requested == nil ? "best on this CPU" : "forced by \(environmentVariable)"
            let gemm = zenKernels ? "; Zen GEMM kernels" : ""
            return "XNNPACK \(path.rawValue) (\(path.instructionSets)\(gemm); \(how))"
        case .failure(let error):
            return "none (\(error))"
        }
    }

    /// The path to run: the one `requested` names, else the best available.
    ///
    /// - Parameters:
    ///   - requested: the value of `SCENOPHONE_KERNELS`, or nil when it is unset or empty.
    ///   - available: the paths the CPU can run, lowest first.
    /// - Returns: the path.
    /// - Throws: `KernelSelectionError` when `requested` names no path or an unavailable one.
    public static func choose(
        requested: String?, available: [KernelPath]
    ) throws(KernelSelectionError) -> KernelPath {
        guard let requested else { return available.last! }
        guard let named = KernelPath(rawValue: requested) else { throw .unknownPath(requested) }
        guard available.contains(named) else { throw .unsupportedPath(named, available: available) }
        return named
    }

    private static let requested = ProcessInfo.processInfo.environment[environmentVariable]
        .flatMap { $0.isEmpty ? nil : $0 }

    /// Whether XNNPACK was told the cores are Zen, for its Zen-tuned GEMM kernels on the AVX2 path
    /// (see `scenophone_prefer_zen_kernels`: twice as fast on a Zen 3).
    private static let zenKernels =
        (try? outcome.get()).map { $0 == .avx2 && scenophone_is_amd_zen() } ?? false

    private static let outcome = Result { () throws(KernelSelectionError) -> KernelPath in
        let path = try choose(requested: requested, available: KernelPath.available)
        guard scenophone_limit_isa(path.level) else {
            throw .initialisationFailed("cpuinfo cannot read the CPU")
        }
        _ = scenophone_prefer_zen_kernels(path.level)
        let status = xnn_initialize(nil)
        guard status == xnn_status_success else {
            throw .initialisationFailed("xnn_initialize returned status \(status.rawValue)")
        }
        return path
    }
}
