import Foundation

/// The read-only `shared/` directory beside the repository (media, benchmark baselines).
enum SharedDirectory {
    /// Finds `shared/<relative>` beside the working directory or the executable, or any of their
    /// parents.
    ///
    /// - Parameter relative: a path inside `shared/`, e.g. `media/video/tears_of_steel_battle.webm`.
    /// - Returns: the file, or nil when it is nowhere to be found.
    static func find(_ relative: String) -> URL? {
        findInAncestors("shared/" + relative)
    }

    /// Finds `relative` (e.g. `scripts/ort_lite_baseline.py`) under the working directory or the
    /// executable's, or any of their parents.
    ///
    /// - Parameter relative: a relative path.
    /// - Returns: the file, or nil when it is nowhere to be found.
    static func findInAncestors(_ relative: String) -> URL? {
        let starts = [
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
            URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath(),
        ]
        for start in starts {
            var directory = start.standardizedFileURL
            while directory.path != "/" {
                let candidate = directory.appendingPathComponent(relative)
                if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
                directory.deleteLastPathComponent()
            }
        }
        return nil
    }
}
