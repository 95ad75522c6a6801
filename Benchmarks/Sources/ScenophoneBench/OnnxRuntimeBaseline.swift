import Foundation
import MediaIO
import Vision

/// The peer baseline: the same EfficientNet-Lite checkpoint under ONNX Runtime, run as a child
/// process: `../shared/bench/ort_baseline.py` for Lite0, `scripts/ort_lite_baseline.py` (the same
/// graph builder fed the block table of any Lite checkpoint, checked against the golden tensors)
/// for the others.
struct OnnxRuntimeBaseline {
    /// One timing the script printed.
    struct Timing: Decodable {
        var version: String
        var threads: Int
        var median_ms: Double
        var p10_ms: Double
        var p90_ms: Double
    }

    /// Why the baseline could not run.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    var python: URL
    var script: URL
    var checkpoint: URL
    /// Arguments beyond the common ones (the input size and the reference's folder, for Lite1/2).
    var extraArguments: [String] = []

    /// Finds the interpreter (the venv `scripts/setup --bench` makes), the script and the checkpoint.
    ///
    /// - Parameters:
    ///   - python: an explicit interpreter, or `nil` for `~/.cache/scenophone/bench-venv/bin/python`.
    ///   - script: an explicit script, or `nil` to look for `shared/bench/ort_baseline.py` (Lite0) or
    ///     `scripts/ort_lite_baseline.py` (the others) beside the working directory or the
    ///     executable, or any of their parents.
    ///   - files: the model, whose original `.pth` checkpoint the script reads.
    /// - Throws: `Failure` saying what is missing and how to get it.
    init(python: String?, script: String?, files: ModelFiles) throws {
        let checkpoint = files.checkpoint
        let environment = ProcessInfo.processInfo.environment
        let cache =
            environment["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        self.python =
            python.map { URL(fileURLWithPath: $0) }
            ?? cache.appendingPathComponent("scenophone/bench-venv/bin/python")
        guard FileManager.default.isExecutableFile(atPath: self.python.path) else {
            throw Failure(
                description: "\(self.python.path): no Python with ONNX Runtime; run scripts/setup --bench, "
                    + "pass --python, or use --no-baseline")
        }
        let wanted = files.variant == .lite0 ? "shared/bench/ort_baseline.py" : "scripts/ort_lite_baseline.py"
        if let script {
            self.script = URL(fileURLWithPath: script)
        } else if let found = SharedDirectory.findInAncestors(wanted) {
            self.script = found
        } else {
            throw Failure(description: "cannot find \(wanted); pass --baseline-script")
        }
        if files.variant != .lite0 {
            guard let reference = SharedDirectory.findInAncestors("shared/bench/lite_ref.py") else {
                throw Failure(description: "cannot find shared/bench/lite_ref.py, which builds the graph")
            }
            extraArguments = [
                "--size", String(files.variant.inputSize), "--bench-dir",
                reference.deletingLastPathComponent().path,
            ]
            // The graph is checked against the golden tensors where they are, before it is timed.
            if let golden = SharedDirectory.findInAncestors(
                "shared/reference/\(files.variant.modelName)/manifest.json")
            {
                extraArguments += ["--check", golden.deletingLastPathComponent().path]
            }
        }
        guard FileManager.default.fileExists(atPath: self.script.path) else {
            throw Failure(description: "\(self.script.path): no such file")
        }
        guard FileManager.default.fileExists(atPath: checkpoint.path) else {
            throw Failure(
                description: "\(checkpoint.path): the original checkpoint is missing; run scripts/setup")
        }
        self.checkpoint = checkpoint
    }

    /// Runs the script once.
    ///
    /// - Parameters:
    ///   - threads: ONNX Runtime's intra-op threads.
    ///   - iterations: timed runs.
    ///   - warmup: untimed runs first.
    /// - Returns: the script's timing.
    /// - Throws: `Failure` with the script's error output when it fails.
    func measure(threads: Int, iterations: Int, warmup: Int) throws -> Timing {
        let arguments =
            [
                script.path, "--weights", checkpoint.path, "--threads", String(threads), "--iters",
                String(iterations),
                "--warmup", String(warmup),
            ] + extraArguments
        let output = try ChildProcess.run(python.path, arguments)
        let lastLine =
            output.standardOutput.split(separator: "\n").last ?? ""
        guard output.status == 0,
            let timing = try? JSONDecoder().decode(Timing.self, from: Data(lastLine.utf8))
        else {
            let reason = output.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
            throw Failure(description: "\(script.path) failed (status \(output.status)): \(reason)")
        }
        return timing
    }
}
