import ArgumentParser
import CommandLineSupport
import Corpus
import Engine
import Foundation

/// `scenophone render --corpus C --input VIDEO|IMAGE|DIR --output out.wav|out.flac|out.mp4`: the
/// soundtrack a corpus makes for a picture source, offline.
struct RenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render the soundscape a corpus makes for a video, an image or a folder of images.",
        discussion: """
            The input's pictures are analysed at --vision-fps (each image of a folder is shown for \
            --duration seconds); each analysis turns the distances to the corpus frames into the \
            probability p(t) of playing each moment of the corpus audio, smoothed over time, and \
            the granular synthesizer plays ~100 grains a second drawn from it. The sound is as long \
            as the input; a distribution takes over at the moment its picture is shown, as it \
            would live.

            The output's extension picks what is written: .wav (32-bit float), .flac, or \
            .mp4/.mkv/.webm/.mov (the input's picture with the new soundtrack). The same --seed \
            gives the same bytes.

            Example:
              scenophone render --corpus walk.scenophone --input street.mp4 --output street-walk.mp4
            """)

    @Option(help: "The corpus (a NAME.scenophone directory).")
    var corpus: String

    @Option(help: "A video, an image, or a folder of images (shown in name order).")
    var input: String

    @Option(name: .shortAndLong, help: "The file to write: .wav, .flac, .mp4, .mkv, .webm, .mov or .m4v.")
    var output: String

    @Option(help: "Picture analyses per second of input.")
    var visionFPS: Double = 10

    @Option(help: "Seconds each image is shown (image and folder inputs).")
    var duration: Double = 10

    @Option(help: "Random seed; the same seed gives the same output bytes (default: a fresh one, printed).")
    var seed: UInt64?

    @Option(
        help:
            "Also write every grain to this CSV file (output time, source, source time, duration, gain, pan…)."
    )
    var grainLog: String?

    @Option(help: "Output channels: 2 (stereo, grains spread across the field) or 1.")
    var channels: Int = 2

    @Flag(help: "Replace the output (and grain log) if they exist.")
    var overwrite = false

    @Flag(help: "Print a JSON summary.")
    var json = false

    @OptionGroup(title: "Sound") var sound: SoundOptions
    @OptionGroup var model: ModelOptions

    func validate() throws {
        guard visionFPS > 0, visionFPS <= 120 else {
            throw ValidationError("--vision-fps must be in (0, 120]")
        }
        guard duration > 0, duration <= 86_400 else {
            throw ValidationError("--duration must be in (0, 86400] s")
        }
        guard channels == 1 || channels == 2 else { throw ValidationError("--channels must be 1 or 2") }
    }

    func run() async throws {
        let destination = try RenderOutput(URL(fileURLWithPath: output), overwrite: overwrite)
        let logURL = grainLog.map { URL(fileURLWithPath: $0) }
        if let logURL { try RenderOutput.checkWritable(logURL, overwrite: overwrite) }
        let source = try RenderInput.resolve(URL(fileURLWithPath: input), imageDuration: duration)
        try destination.check(for: source)
        let corpus = try Corpus.open(URL(fileURLWithPath: self.corpus))
        let job = RenderJob(
            corpus: corpus, network: try corpus.loadNetwork(modelDirectory: model.directory),
            input: source, output: destination, grainLog: logURL, visionFPS: visionFPS,
            seed: seed ?? UInt64.random(in: 0...UInt64(UInt32.max)), channels: channels,
            sound: sound)
        let report = try job.run()
        print(json ? try report.json() : report.text)
    }
}
