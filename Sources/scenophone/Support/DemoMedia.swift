import Foundation
import MediaIO

/// The media `demo` makes for itself with ffmpeg when it has none: four synthetic scenes that the
/// network tells apart easily, each paired with a sound of its own, and an input that moves
/// through them.
///
/// The pictures are ffmpeg's test generators (a zooming Mandelbrot set, colour bars, the Game of
/// Life, a cellular automaton); the sounds are chosen to look different in a spectrogram: a low
/// rumble, a bell chord, broadband rain and high chirps. The input shows later stretches of the same
/// generators (the corpus never saw those exact frames), in another order.
enum DemoMedia {
    /// One synthetic scene: a picture generator and a sound generator.
    struct Scene {
        var name: String
        /// An ffmpeg lavfi video source at 320×240, 10 fps.
        var picture: String
        /// An ffmpeg lavfi audio source (48 kHz mono) and the filters after it.
        var sound: String
    }

    static let scenes = [
        Scene(
            name: "fractal", picture: "mandelbrot=size=320x240:rate=10",
            sound: "anoisesrc=color=brown:amplitude=0.6:sample_rate=48000,lowpass=f=250,tremolo=f=0.25:d=0.6"),
        Scene(
            name: "bars", picture: "testsrc2=size=320x240:rate=10",
            sound:
                "aevalsrc='0.2*sin(2*PI*523*t)*exp(-4*mod(t,1.2))+0.16*sin(2*PI*659*t)*exp(-4*mod(t+0.4,1.2))"
                + "+0.13*sin(2*PI*784*t)*exp(-4*mod(t+0.8,1.2))':sample_rate=48000"),
        Scene(
            name: "life",
            picture: "life=size=320x240:rate=10:ratio=0.2:mold=8:life_color=#30d040:death_color=#602010",
            sound: "anoisesrc=color=pink:amplitude=0.35:sample_rate=48000,highpass=f=800"),
        Scene(
            name: "cells", picture: "cellauto=size=320x240:rate=10:rule=30",
            sound:
                "aevalsrc='0.3*pow(max(0,sin(2*PI*1.5*t)),3)*sin(2*PI*3000*t-133*cos(2*PI*9*t))':sample_rate=48000"
        ),
    ]

    /// Writes one video with sound per scene into `directory`.
    ///
    /// - Parameters:
    ///   - directory: where the files go.
    ///   - seconds: the length of each.
    /// - Returns: the videos, in ``scenes`` order.
    /// - Throws: `DemoMedia.Failure` with ffmpeg's message.
    static func makeScenes(in directory: URL, seconds: Double) throws -> [URL] {
        try scenes.map { scene in
            let url = directory.appendingPathComponent("\(scene.name).mkv")
            try ffmpeg([
                "-f", "lavfi", "-i", scene.picture, "-f", "lavfi", "-i", scene.sound, "-t", String(seconds),
                "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "flac", url.path,
            ])
            return url
        }
    }

    /// Writes the input: later stretches of the scenes' pictures, `seconds` each, in the order
    /// bars → fractal → cells → life.
    ///
    /// - Parameters:
    ///   - url: the video to write.
    ///   - seconds: how long each scene is shown.
    ///   - offset: where in each generator's timeline the stretch starts (past the corpus's part).
    /// - Throws: `DemoMedia.Failure` with ffmpeg's message.
    static func makeInput(at url: URL, seconds: Double, offset: Double) throws {
        let order = [1, 0, 3, 2].map { scenes[$0] }
        var arguments: [String] = []
        for scene in order { arguments += ["-f", "lavfi", "-i", scene.picture] }
        let trims = order.indices.map { index in
            "[\(index):v]trim=start=\(offset):duration=\(seconds),setpts=PTS-STARTPTS,setsar=1[v\(index)]"
        }
        let concat = order.indices.map { "[v\($0)]" }.joined() + "concat=n=\(order.count):v=1[out]"
        arguments += [
            "-filter_complex", (trims + [concat]).joined(separator: ";"), "-map", "[out]", "-c:v", "libx264",
            "-preset", "veryfast", "-pix_fmt", "yuv420p", url.path,
        ]
        try ffmpeg(arguments)
    }

    /// Writes a slideshow of pictures (and optionally a stretch of a video), `seconds` each, at 640×360.
    ///
    /// - Parameters:
    ///   - pictures: still images, shown in order.
    ///   - excerpt: a video and the second to take `seconds` from, shown last.
    ///   - url: the video to write.
    ///   - seconds: how long each is shown.
    /// - Throws: `DemoMedia.Failure` with ffmpeg's message.
    static func makeSlideshow(pictures: [URL], excerpt: (URL, Double)?, at url: URL, seconds: Double) throws {
        var arguments: [String] = []
        for picture in pictures { arguments += ["-loop", "1", "-t", String(seconds), "-i", picture.path] }
        if let (video, start) = excerpt {
            arguments += ["-ss", String(start), "-t", String(seconds), "-i", video.path]
        }
        let count = pictures.count + (excerpt == nil ? 0 : 1)
        let fit =
            "scale=640:360:force_original_aspect_ratio=decrease,pad=640:360:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=10"
        let scaled = (0..<count).map { "[\($0):v]\(fit)[v\($0)]" }
        let concat = (0..<count).map { "[v\($0)]" }.joined() + "concat=n=\(count):v=1[out]"
        arguments += [
            "-filter_complex", (scaled + [concat]).joined(separator: ";"), "-map", "[out]", "-c:v", "libx264",
            "-preset", "veryfast", "-pix_fmt", "yuv420p", url.path,
        ]
        try ffmpeg(arguments)
    }

    /// Draws the spectrogram of a sound file as a PNG.
    ///
    /// - Parameters:
    ///   - audio: the sound.
    ///   - url: the picture to write.
    /// - Throws: `DemoMedia.Failure` with ffmpeg's message.
    static func drawSpectrogram(of audio: URL, to url: URL) throws {
        try ffmpeg(["-i", audio.path, "-lavfi", "showspectrumpic=s=1200x480:legend=1", url.path])
    }

    /// Runs ffmpeg quietly, overwriting its output.
    private static func ffmpeg(_ arguments: [String]) throws {
        let result = try ChildProcess.run(
            try FFmpegTool.ffmpeg.locate(), ["-nostdin", "-hide_banner", "-v", "error", "-y"] + arguments)
        guard result.status == 0 else {
            let message = result.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
            throw Failure(description: "ffmpeg failed making the demo media: \(message)")
        }
    }

    /// ffmpeg could not make a demo file.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }
}
