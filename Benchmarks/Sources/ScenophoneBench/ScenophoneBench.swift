import ArgumentParser

/// `scenophone-bench …`: Scenophone's speed, each figure printed beside a named baseline run on the
/// same machine in the same run, as a ratio.
///
/// A package of its own (`Benchmarks/`, depending on the main package by path), so the product's
/// command line keeps only what a user runs; `scripts/bench` builds it in release and runs it.
@main
struct ScenophoneBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenophone-bench",
        abstract: "Measure Scenophone's speed against named baselines (ratios from the same run).",
        discussion: """
            Machines are shared and noisy: each benchmark times Scenophone and its baseline \
            alternately, several rounds, and reports medians and the ratio. Run it through \
            `scripts/bench`, which builds it in release first; debug builds are not representative.
            """,
        subcommands: [
            VisionBenchmarkCommand.self, CorpusBenchmarkCommand.self, IndexBenchmarkCommand.self,
            SynthBenchmarkCommand.self, LatencyBenchmarkCommand.self, SoakBenchmarkCommand.self,
        ])
}
