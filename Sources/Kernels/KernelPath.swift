import CXNNPACK

/// An instruction-set level for the vision network's kernels (XNNPACK's microkernels).
///
/// XNNPACK picks the best kernels for the running CPU by itself; a lower level can be forced (see
/// `KernelSelection`) so that tests check every path the machine can run and benchmarks can
/// compare them.
public enum KernelPath: String, CaseIterable, Codable, Sendable, Comparable {
    /// The architecture's baseline, correct on every CPU of it: SSE2 on x86-64, NEON on aarch64.
    case portable
    /// AVX2 with FMA3 (x86-64).
    case avx2
    /// AVX-512 F, BW, DQ and VL (x86-64).
    case avx512

    /// The paths this CPU can run, lowest first (detected once, by cpuinfo: cpuid or getauxval).
    public static let available: [KernelPath] = allCases.filter(\.isSupported)

    /// The best path this CPU can run.
    public static var best: KernelPath { available.last! }

    /// Whether this CPU has the instructions the path needs.
    public var isSupported: Bool {
        switch self {
        case .portable: true
        case .avx2: scenophone_has_avx2()
        case .avx512: scenophone_has_avx512()
        }
    }

    /// The instruction sets the path uses, for reports.
    public var instructionSets: String {
        switch self {
        case .portable:
            #if arch(arm64)
                "NEON"
            #else
                "SSE2"
            #endif
        case .avx2: "AVX2+FMA3"
        case .avx512: "AVX-512F/BW/DQ/VL"
        }
    }

    /// The level number `scenophone_limit_isa` takes.
    var level: Int32 {
        switch self {
        case .portable: SCENOPHONE_ISA_PORTABLE
        case .avx2: SCENOPHONE_ISA_AVX2
        case .avx512: SCENOPHONE_ISA_AVX512
        }
    }

    public static func < (lhs: KernelPath, rhs: KernelPath) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
