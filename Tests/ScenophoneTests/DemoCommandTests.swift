import Foundation
import MediaIO
import TestSupport
import Testing

/// `scenophone demo --media ../shared/media`, as CI runs it: every file it promises, and a sound
/// that follows the slideshow from one recording to the next.
@Suite struct DemoCommandTests {
    @Test func realMediaDemoFollowsItsSlideshow() throws {
        let directory = try TemporaryDirectory("scenophone-demo")
        let output = directory.file("demo")
        let result = try runScenophone([
            "demo", "--media", Paths.media.path, "--output", output.path, "--scene-seconds", "6",
        ])
        try #require(result.status == 0, "\(result.standardError)")
        for name in [
            "soundscape.mp4", "soundscape.wav", "spectrogram.png", "grains.csv", "demo.scenophone",
            "input.mp4",
        ] {
            #expect(
                FileManager.default.fileExists(atPath: output.appendingPathComponent(name).path), "\(name)")
            #expect(result.standardOutput.contains(name))
        }
        // Four of the seven pairs (spread over the file names), a held-out photo, then the film.
        let shown = ["blanket_waves", "blanket_storm", "blanket_birds", "blanket_coffee-shop"]
        for (index, photo) in ["mate_Dune.jpg", "mate_Storm.jpg", "plasma_Path.jpg", "skimage_coffee.png"]
            .enumerated()
        {
            #expect(result.standardOutput.contains(String(format: "%3d s  %@", index * 6, photo)))
        }
        #expect(result.standardOutput.contains("mate_Aqua.jpg (not in the corpus)"))
        let grains = try GrainLog(output.appendingPathComponent("grains.csv")).rows
        for (index, source) in shown.enumerated() {
            let scene = grains.filter {
                $0.outputTime >= Double(index * 6) + 0.5 && $0.outputTime < Double(index * 6 + 6)
            }
            let share = Double(scene.filter { $0.sourceName == source }.count) / Double(max(scene.count, 1))
            #expect(scene.count > 400 && share >= 0.8, "\(source): \(share) of \(scene.count) grains")
        }
        let film = grains.filter { $0.outputTime >= 30.5 }
        let filmShare =
            Double(film.filter { $0.sourceName == "tears_of_steel_battle" }.count)
            / Double(max(film.count, 1))
        #expect(film.count > 400 && filmShare >= 0.8, "film: \(filmShare) of \(film.count) grains")
        let movie = try MediaProbe.probe(output.appendingPathComponent("soundscape.mp4"))
        #expect(movie.video != nil && movie.audio?.channels == 2)
        #expect(abs((movie.duration ?? 0) - 36) < 0.2)
    }
}
