import ArgumentParser

/// `scenophone bench …`: speed measurements, each printed beside a named baseline run on the same
/// machine in the same run, as a ratio.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure speed against named baselines (ratios from the same run).",
        discussion: """
            Machines are shared and noisy: each benchmark times Scenophone and its baseline \
            alternately, several rounds, and reports medians and the ratio. Build with \
            `swift build -c release` first; debug builds are not representative.
            """,
        subcommands: [
            VisionBenchmarkCommand.self, CorpusBenchmarkCommand.self, IndexBenchmarkCommand.self,
            SynthBenchmarkCommand.self, LatencyBenchmarkCommand.self, SoakBenchmarkCommand.self,
        ])
}
