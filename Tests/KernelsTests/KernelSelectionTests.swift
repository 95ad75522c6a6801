import Kernels
import Testing

/// Choosing the vision kernels: the CPU's best path by default, a forced one by name, and clear
/// errors for a name that is no path or a path the CPU lacks.
@Suite struct KernelSelectionTests {
    @Test func thePortablePathIsAlwaysAvailableAndTheBestIsLast() {
        #expect(KernelPath.available.first == .portable)
        #expect(KernelPath.best == KernelPath.available.max())
        #expect(KernelPath.available == KernelPath.available.sorted())
    }

    @Test func withoutARequestTheBestPathIsChosen() throws {
        #expect(try KernelSelection.choose(requested: nil, available: [.portable, .avx2]) == .avx2)
    }

    @Test(arguments: KernelPath.allCases)
    func aRequestedPathIsChosenWhenAvailable(path: KernelPath) throws {
        #expect(try KernelSelection.choose(requested: path.rawValue, available: KernelPath.allCases) == path)
    }

    @Test func anUnknownNameIsRefusedWithTheValidNames() {
        #expect(throws: KernelSelectionError.unknownPath("sse9")) {
            try KernelSelection.choose(requested: "sse9", available: [.portable])
        }
        let message = KernelSelectionError.unknownPath("sse9").description
        #expect(message.contains("SCENOPHONE_KERNELS=sse9") && message.contains("portable, avx2, avx512"))
    }

    @Test func aPathTheCPULacksIsRefusedWithWhatItCanRun() {
        #expect(throws: KernelSelectionError.unsupportedPath(.avx512, available: [.portable, .avx2])) {
            try KernelSelection.choose(requested: "avx512", available: [.portable, .avx2])
        }
        let message = KernelSelectionError.unsupportedPath(.avx512, available: [.portable, .avx2]).description
        #expect(message.contains("AVX-512") && message.contains("portable, avx2"))
    }

    /// XNNPACK initialises with the chosen path, and the summary names it.
    @Test func activationReportsThePathInUse() throws {
        let path = try KernelSelection.activate()
        #expect(KernelPath.available.contains(path))
        #expect(KernelSelection.summary.hasPrefix("XNNPACK \(path.rawValue) "))
    }
}
