import Foundation
import MediaIO
import TestSupport
import Testing

/// `scenophone render` end to end: what the issue asks the sound to show, each checked on a real
/// render of the shared media.
@Suite(.renderFixture) struct RenderTests {
    var fixture: RenderFixture { RenderFixture.current! }
    static let ceiling = Float(pow(10, -1.0 / 20))

    @Test func selfRetrievalPlaysTheFilmWhereItIs() throws {
        let output = fixture.directory.file("film.wav")
        let log = fixture.directory.file("film.csv")
        try RenderFixture.render(
            corpus: try fixture.filmCorpus(), input: RenderFixture.film, output: output,
            extra: ["--seed", "7", "--grain-log", log.path])
        let grains = try GrainLog(log)
        #expect(grains.rows.count > 6000)
        let errors = grains.rows.map { abs($0.sourceTime - $0.outputTime) }.sorted()
        let median = errors[errors.count / 2]
        #expect(median <= 1.0, "median |source time − input time| = \(median) s")

        // The battle is loud: the limiter has work to do, and no sample passes −1 dBFS.
        let audio = try WAVReader.read(output)
        let peak = audio.samples.map(abs).max() ?? 0
        #expect(peak < Self.ceiling && peak > 0.5, "peak \(peak)")
        // The sound lasts as long as the picture, to the sample (well within one 1024-frame block).
        let duration = try #require(try MediaProbe.probe(RenderFixture.film).duration)
        #expect(abs(audio.frameCount - Int((duration * 48_000).rounded())) <= 1)
    }

    @Test func followsACutFromOneSceneToAnother() throws {
        let grains = try GrainLog(try fixture.sceneRender().log)
        let first = grains.rows.filter { $0.outputTime >= 0.5 && $0.outputTime < 10 }
        let second = grains.rows.filter { $0.outputTime >= 10.5 }
        #expect(first.count > 800 && second.count > 800)
        let storm = Double(first.filter { $0.sourceName == "storm" }.count) / Double(first.count)
        let cafe = Double(second.filter { $0.sourceName == "cafe" }.count) / Double(second.count)
        #expect(storm >= 0.8, "storm share in the first half: \(storm)")
        #expect(cafe >= 0.8, "café share in the second half: \(cafe)")
        // The sound follows the cut within a quarter second (default smoothing 0.1 s).
        let settled = grains.rows.filter { $0.outputTime >= 10.25 && $0.outputTime < 10.5 }
        let settledCafe = Double(settled.filter { $0.sourceName == "cafe" }.count) / Double(settled.count)
        #expect(
            settled.count > 10 && settledCafe >= 0.8, "café share 0.25–0.5 s after the cut: \(settledCafe)")
    }

    @Test func sameSeedSameBytes() throws {
        let reference = try fixture.sceneRender().wav
        let again = fixture.directory.file("scene-again.wav")
        try RenderFixture.render(
            corpus: try fixture.pairsCorpus(), input: try fixture.stormThenCafe(), output: again,
            extra: ["--seed", "5"])
        #expect(try Data(contentsOf: again) == Data(contentsOf: reference))
        let other = fixture.directory.file("scene-other.wav")
        try RenderFixture.render(
            corpus: try fixture.pairsCorpus(),
            input: Paths.media.appendingPathComponent("images/mate_Storm.jpg"),
            output: other, extra: ["--seed", "6", "--duration", "20"])
        #expect(try Data(contentsOf: other) != Data(contentsOf: reference))
    }

    @Test func steadySceneHasSteadyLoudness() throws {
        // A minute of the rain photo: every 400 ms momentary loudness (EBU R128, from ffmpeg's
        // ebur128 filter) stays within ±2 LU of the median, once the meter has a full window.
        let output = fixture.directory.file("rain.wav")
        try RenderFixture.render(
            corpus: try fixture.pairsCorpus(),
            input: Paths.media.appendingPathComponent("images/mate_RainDrops.jpg"),
            output: output, extra: ["--duration", "60", "--seed", "3"])
        let result = try run(
            "ffmpeg",
            [
                "-nostdin", "-nostats", "-i", output.path, "-filter_complex", "ebur128=framelog=info",
                "-f", "null", "-",
            ])
        try #require(result.status == 0, "\(result.standardError)")
        let momentary = Self.momentaryLoudness(result.standardError).filter { $0.time >= 1 }.map(\.lufs)
        try #require(momentary.count > 500)
        let median = momentary.sorted()[momentary.count / 2]
        let worst = momentary.map { abs($0 - median) }.max() ?? .infinity
        #expect(worst <= 2, "momentary loudness strays \(worst) LU from its median \(median) LUFS")
    }

    @Test func windowsLeaveNoClicks() throws {
        // Wind is smooth: its own largest step between samples is small next to its level, so a
        // grain starting or stopping abruptly would stand out. The output is a sum of windowed grains
        // of it at the same RMS (the gain is normalised for the overlap); a Hann window's slope adds
        // at most π/2400 per sample of a grain's level. Twice the recording's own largest step leaves
        // room for the sum of a few grains' steps; a rectangular window exceeds it many times over.
        let corpus = fixture.directory.file("wind.scenophone")
        let picture = Paths.media.appendingPathComponent("images/plasma_Path.jpg")
        let recording = Paths.media.appendingPathComponent("audio/blanket_wind.ogg")
        let indexed = try runScenophone([
            "index", "wind=\(picture.path)+\(recording.path)", "--output", corpus.path,
        ])
        try #require(indexed.status == 0, "\(indexed.standardError)")
        let source = try AudioDecoder.decode(recording, sampleRate: 48_000, maxChannels: 1)
        let threshold = 2 * Self.largestStep(source.samples, channels: 1)

        let smooth = fixture.directory.file("wind.wav")
        try RenderFixture.render(
            corpus: corpus, input: picture, output: smooth,
            extra: ["--duration", "20", "--channels", "1", "--seed", "1"])
        let smoothStep = Self.largestStep(try WAVReader.read(smooth).samples, channels: 1)
        #expect(smoothStep < threshold, "largest step \(smoothStep), threshold \(threshold)")

        let abrupt = fixture.directory.file("wind-rectangular.wav")
        try RenderFixture.render(
            corpus: corpus, input: picture, output: abrupt,
            extra: ["--duration", "20", "--channels", "1", "--seed", "1", "--attack", "0", "--release", "0"])
        let abruptStep = Self.largestStep(try WAVReader.read(abrupt).samples, channels: 1)
        #expect(abruptStep > 2 * threshold, "the test must catch rectangular windows (step \(abruptStep))")
    }

    @Test func imagesFoldersAndContainers() throws {
        // A folder of two photos, 3 s each: 6 s of sound that changes scene at 3 s.
        let folder = fixture.directory.file("slides")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, photo) in [("1.jpg", "images/mate_Dune.jpg"), ("2.png", "images/skimage_coffee.png")] {
            try FileManager.default.copyItem(
                at: Paths.media.appendingPathComponent(photo), to: folder.appendingPathComponent(name))
        }
        let wav = fixture.directory.file("slides.wav")
        let log = fixture.directory.file("slides.csv")
        try RenderFixture.render(
            corpus: try fixture.pairsCorpus(), input: folder, output: wav,
            extra: ["--duration", "3", "--grain-log", log.path, "--channels", "1"])
        #expect(try WAVReader.read(wav).frameCount == 6 * 48_000)
        let grains = try GrainLog(log).rows
        // Live timing: vision frame k (at k/10 s) publishes generation k + 1, current from sample
        // round(k/10 × 48 000) until the next frame's.
        #expect(grains.allSatisfy { $0.generation == Int(($0.outputTime * 10).rounded(.down)) + 1 })
        #expect(
            grains.filter { $0.outputTime > 0.5 && $0.outputTime < 3 && $0.sourceName == "waves" }.count > 150
        )
        #expect(grains.filter { $0.outputTime > 3.5 && $0.sourceName == "cafe" }.count > 150)

        // An image under its new soundtrack, and the same sound as FLAC.
        // In a folder of their own: the other tests' renders leave hidden files in progress.
        let photo = Paths.media.appendingPathComponent("images/plasma_EveningGlow.jpg")
        let containers = fixture.directory.file("containers")
        try FileManager.default.createDirectory(at: containers, withIntermediateDirectories: true)
        let movie = containers.appendingPathComponent("boat.mp4")
        try RenderFixture.render(
            corpus: try fixture.pairsCorpus(), input: photo, output: movie, extra: ["--duration", "4"])
        let info = try MediaProbe.probe(movie)
        #expect(info.video != nil && info.audio?.channels == 2)
        #expect(abs((info.duration ?? 0) - 4) < 0.1)
        let flac = containers.appendingPathComponent("boat.flac")
        try RenderFixture.render(
            corpus: try fixture.pairsCorpus(), input: photo, output: flac, extra: ["--duration", "4"])
        #expect(try AudioDecoder.decode(flac, sampleRate: 48_000, maxChannels: 2).frameCount == 4 * 48_000)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: containers.path).sorted() == [
                "boat.flac", "boat.mp4",
            ])
    }

    @Test func badRequestsFailClearlyAndLeaveNothing() throws {
        let corpus = try fixture.pairsCorpus()
        let photo = Paths.media.appendingPathComponent("images/mate_Dune.jpg").path
        let sound = Paths.media.appendingPathComponent("audio/blanket_wind.ogg").path
        let out = fixture.directory.file("bad.wav").path
        let folder = fixture.directory.file("two-images")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["a.jpg", "b.jpg"] {
            try FileManager.default.copyItem(atPath: photo, toPath: folder.appendingPathComponent(name).path)
        }
        let cases: [([String], String)] = [
            (
                ["--corpus", "/nonexistent.scenophone", "--input", photo, "--output", out],
                "/nonexistent.scenophone"
            ),
            (["--corpus", corpus.path, "--input", "/no/such.mp4", "--output", out], "/no/such.mp4"),
            (["--corpus", corpus.path, "--input", sound, "--output", out], "no video stream"),
            (
                [
                    "--corpus", corpus.path, "--input", photo, "--output",
                    fixture.directory.file("x.ogg").path,
                ], ".ogg"
            ),
            (["--corpus", corpus.path, "--input", photo, "--output", "/no/folder/x.wav"], "/no/folder"),
            (
                [
                    "--corpus", corpus.path, "--input", folder.path, "--output",
                    fixture.directory.file("x.mp4").path,
                ], "x.mp4"
            ),
            (
                ["--corpus", corpus.path, "--input", photo, "--output", out, "--grain-rate=-1"],
                "--grain-rate"
            ),
            (["--corpus", corpus.path, "--input", photo, "--output", out, "--floor", "1"], "floor"),
            (["--corpus", corpus.path, "--input", photo, "--output", corpus.path], "scenophone"),
        ]
        for (arguments, mention) in cases {
            let result = try runScenophone(["render"] + arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.standardError.contains(mention), "\(arguments): \(result.standardError)")
            #expect(!result.standardError.contains("Fatal error"))
        }
        #expect(!FileManager.default.fileExists(atPath: out))
        try Data("keep".utf8).write(to: URL(fileURLWithPath: out))
        let refused = try runScenophone([
            "render", "--corpus", corpus.path, "--input", photo, "--output", out,
        ])
        #expect(refused.status != 0 && refused.standardError.contains("--overwrite"))
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "keep")
    }

    /// The largest absolute difference between successive samples of one channel.
    static func largestStep(_ samples: [Float], channels: Int) -> Float {
        var largest: Float = 0
        for index in channels..<samples.count {
            largest = max(largest, abs(samples[index] - samples[index - channels]))
        }
        return largest
    }

    /// `(t, M)` pairs from ffmpeg's `ebur128=framelog=info` log.
    static func momentaryLoudness(_ log: String) -> [(time: Double, lufs: Double)] {
        log.split(separator: "\n").compactMap { line in
            guard let t = line.range(of: "t: "), let m = line.range(of: " M:") else { return nil }
            let time = Double(line[t.upperBound...].prefix { !$0.isWhitespace })
            let lufs = Double(line[m.upperBound...].drop { $0 == " " }.prefix { !$0.isWhitespace })
            guard let time, let lufs else { return nil }
            return (time, lufs)
        }
    }
}

/// A `--grain-log` CSV, parsed.
struct GrainLog {
    struct Row {
        var outputTime: Double
        var sourceName: String
        var sourceTime: Double
        var duration: Double
        var generation: Int
    }

    var rows: [Row]

    init(_ url: URL) throws {
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        guard
            lines.first
                == "output_time,source,source_name,source_time,duration,gain,pan,rate,frame,generation"
        else {
            throw FixtureError("\(url.path): unexpected header \(lines.first ?? "")")
        }
        rows = try lines.dropFirst().map { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == 10, let output = Double(fields[0]), let source = Double(fields[3]),
                let duration = Double(fields[4]), let generation = Int(fields[9])
            else { throw FixtureError("\(url.path): bad row \(line)") }
            return Row(
                outputTime: output, sourceName: String(fields[2]), sourceTime: source, duration: duration,
                generation: generation)
        }
    }
}
