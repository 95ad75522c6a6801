/// Why the vision kernels could not be set up.
public enum KernelSelectionError: Error, CustomStringConvertible, Equatable {
    /// `SCENOPHONE_KERNELS` names no path.
    case unknownPath(String)
    /// `SCENOPHONE_KERNELS` names a path this CPU cannot run.
    case unsupportedPath(KernelPath, available: [KernelPath])
    /// XNNPACK or cpuinfo failed to initialise.
    case initialisationFailed(String)

    public var description: String {
        let names = { (paths: [KernelPath]) in paths.map(\.rawValue).joined(separator: ", ") }
        switch self {
        case .unknownPath(let name):
            return "\(KernelSelection.environmentVariable)=\(name) names no kernel path; "
                + "use one of \(names(KernelPath.allCases))"
        case .unsupportedPath(let path, let available):
            return
                "\(KernelSelection.environmentVariable)=\(path.rawValue): this CPU lacks \(path.instructionSets); "
                + "it can run \(names(available))"
        case .initialisationFailed(let reason):
            return "cannot initialise XNNPACK: \(reason)"
        }
    }
}
