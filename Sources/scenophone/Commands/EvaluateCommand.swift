import ArgumentParser
import CommandLineSupport
import Corpus
import Engine
import Foundation
import Synth

/// `scenophone evaluate --corpus C --manifest M`: how well a corpus's sound follows labelled inputs.
struct EvaluateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Measure how well a corpus's sound follows labelled inputs.",
        discussion: """
            Every input of the manifest (a video, an image or a folder of images, with the category \
            it shows) is analysed as `render` analyses it, with the same mapping flags; for every \
            vision frame the exact probability p(t) is added up by the category of each corpus \
            source. No grain is drawn, so the figures depend on no seed.

            Per input: the agreement (the share of p(t) mass on sources of the input's category, \
            averaged over its vision frames), chance (that category's share of the playable \
            audio: what a p(t) blind to the picture would score) and the categories that attract \
            the most mass. Overall: the mean agreement and chance, and the confusion table.

            The corpus's sources need categories (`index PICTURE[+SOUND]@CATEGORY`, or `sources \
            set CORPUS SOURCE --category NAME`). The manifest is CSV with the header \
            `path,category` and one `FILE,CATEGORY` per line (# starts a comment), or JSON \
            [{"path": …, "category": …}]; relative paths are relative to the manifest.

            Example:
              scenophone evaluate --corpus walk.scenophone --manifest inputs.csv --top-k 3 --floor 0
            """)

    @Option(help: "The corpus (a NAME.scenophone directory) whose sources have categories.")
    var corpus: String

    @Option(help: "The inputs and their categories: CSV `path,category` or JSON.")
    var manifest: String

    // 2, not render's 10: the rate of the issue's reference computations, and five times cheaper;
    // time constants are in seconds, and agreement is linear in p(t), so the rate barely moves it.
    @Option(help: "Picture analyses per second of input (render's default is 10).")
    var visionFPS: Double = 2

    @Option(help: "Seconds each image is shown (image and folder inputs, as `render`).")
    var duration: Double = 10

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup(title: "Sound") var sound: SoundOptions
    @OptionGroup var model: ModelOptions

    /// The corpus cannot be evaluated as it is.
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    func validate() throws {
        guard visionFPS > 0, visionFPS <= 120 else {
            throw ValidationError("--vision-fps must be in (0, 120]")
        }
        guard duration > 0, duration <= 86_400 else {
            throw ValidationError("--duration must be in (0, 86400] s")
        }
    }

    func run() async throws {
        let started = Date()
        let list = try EvaluationManifest(contentsOf: URL(fileURLWithPath: manifest))
        let opened = try Corpus.open(URL(fileURLWithPath: corpus))
        let network = try opened.loadNetwork(modelDirectory: model.directory)
        let bank = try SoundBank(corpus: opened)
        let tally = try CategoryTally(corpus: opened, bank: bank)
        // Check every entry before any analysis: a bad last line fails at once.
        let inputs = try list.entries.map { entry in
            guard let column = tally.column(of: entry.category) else {
                throw EvaluationManifest.Failure(
                    list.url, entry.location,
                    "category '\(entry.category)' is not the category of any source of \(opened.url.path) "
                        + "(its categories: \(tally.columns.filter { $0 != CategoryTally.uncategorised }.joined(separator: ", ")))"
                )
            }
            do {
                return (entry, column, try RenderInput.resolve(entry.url, imageDuration: duration))
            } catch {
                throw EvaluationManifest.Failure(list.url, entry.location, "\(error)")
            }
        }
        let settings = try sound.settings(sourceNames: opened.sources.map(\.name)) { warning in
            FileHandle.standardError.write(Data("scenophone: \(warning)\n".utf8))
        }
        let synth = try GranularSynth(
            bank: bank, configuration: SynthConfiguration(channels: 1, maxVoices: settings.maxVoices),
            parameters: settings.grainParameters)
        let analysis = try OfflineAnalysis(
            analyzer: try settings.makeAnalyzer(corpus: opened, network: network, synth: synth),
            visionFPS: visionFPS)
        let bar = ProgressBar(total: inputs.reduce(0) { $0 + analysis.frameCount(of: $1.2) }, unit: "frames")
        var done = 0
        var results: [EvaluationReport.Input] = []
        do {
            for (entry, column, input) in inputs {
                var masses = [Double](repeating: 0, count: tally.columns.count)
                var frames = 0
                let pictures: Int
                do {
                    pictures = try analysis.run(
                        input,
                        frame: { _, distribution in
                            tally.add(distribution, to: &masses)
                            frames += 1
                        },
                        progress: { bar.update(done: done + $0, label: entry.path) })
                } catch {
                    throw EvaluationManifest.Failure(list.url, entry.location, "\(error)")
                }
                done += frames
                let shares = masses.map { $0 / Double(max(frames, 1)) }
                let ranked = shares.indices.sorted { shares[$0] > shares[$1] }
                results.append(
                    EvaluationReport.Input(
                        path: entry.path, category: entry.category, agreement: shares[column],
                        baseline: tally.baseline[column], visionFrames: frames, pictures: pictures,
                        attraction: Dictionary(uniqueKeysWithValues: zip(tally.columns, shares)),
                        top: ranked.prefix(3).filter { shares[$0] > 0 }.map { tally.columns[$0] }))
            }
            bar.finish()
        } catch {
            bar.finish()
            throw error
        }
        let report = EvaluationReport(
            corpus: opened.url.path, manifest: list.url.path,
            settings: EvaluationReport.Settings(
                visionFPS: visionFPS, imageDuration: duration, mapping: settings.distanceMapping,
                smoothing: settings.smoothing),
            categories: tally.columns, baseline: tally.baseline, inputs: results,
            seconds: Date().timeIntervalSince(started))
        print(json ? try report.json() : report.text)
    }
}
