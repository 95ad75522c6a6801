import Foundation
import MediaIO

/// The files of one recording being written: the soundscape, the grain log, the parameter changes
/// and the camera video, in a directory of their own; `finish` adds the MP4 of picture and sound.
///
/// Only `SessionRecorder` uses it, under its lock.
final class RecordingSession: @unchecked Sendable {
    /// The names of the files in a session directory.
    enum File {
        static let soundscape = "soundscape.wav"
        static let grains = "grains.csv"
        static let parameters = "parameters.jsonl"
        static let camera = "camera.mp4"
        static let movie = "session.mp4"
        static let summary = "session.json"
    }

    /// The header of the grain log.
    static let grainHeader = "time,source,source_name,source_time,duration,gain,pan,frame_id\n"

    let directory: URL
    /// The engine's output frame at which the session's first sample was rendered.
    let startFrame: Int64
    let started: Date
    private let sampleRate: Int
    private let sourceNames: [String]
    private let soundscape: WAVWriter
    private let video: RawVideoWriter
    private let grains: FileHandle
    private let parameters: FileHandle
    private(set) var audioFrames: Int64 = 0
    private(set) var grainCount = 0
    private(set) var parameterChanges = 0

    /// Creates the directory and its files.
    ///
    /// - Parameters:
    ///   - directory: the session directory to create (it must not exist).
    ///   - startFrame: the output frame of the first sample to come.
    ///   - sampleRate: the output's sample rate.
    ///   - channels: the output's channels.
    ///   - videoSide: width and height of the camera frames.
    ///   - sourceNames: the corpus's source names, for the grain log.
    /// - Throws: `EngineError.invalidOutput` or `MediaIOError` when a file cannot be created.
    init(
        directory: URL, startFrame: Int64, sampleRate: Int, channels: Int, videoSide: Int,
        sourceNames: [String]
    ) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
        } catch {
            throw EngineError.invalidOutput(
                directory, "cannot create the recording: \(error.localizedDescription)")
        }
        self.directory = directory
        self.startFrame = startFrame
        self.sampleRate = sampleRate
        self.sourceNames = sourceNames
        started = Date()
        // 16-bit, as the MP4's lossless ALAC track keeps it: the two soundtracks are the same samples.
        soundscape = try WAVWriter(
            url: directory.appendingPathComponent(File.soundscape), sampleRate: sampleRate,
            channels: channels,
            format: .int16)
        video = try RawVideoWriter(
            url: directory.appendingPathComponent(File.camera), width: videoSide, height: videoSide,
            fps: SessionRecorder.videoFramesPerSecond)
        grains = try Self.create(directory.appendingPathComponent(File.grains))
        parameters = try Self.create(directory.appendingPathComponent(File.parameters))
        try append(Self.grainHeader, to: grains, file: File.grains)
    }

    /// Seconds of sound recorded so far.
    var seconds: Double { Double(audioFrames) / Double(sampleRate) }

    /// Appends interleaved output samples.
    func writeAudio(_ samples: UnsafeBufferPointer<Float>, channels: Int) throws {
        try soundscape.write(samples)
        audioFrames += Int64(samples.count / channels)
    }

    /// Appends the camera picture until the video is as long as the sound (rounded down, or up at the end).
    ///
    /// - Parameters:
    ///   - picture: the latest camera frame, RGB at the video's size; nil draws black.
    ///   - final: round up, to cover the last sound.
    func catchUpVideo(with picture: [UInt8]?, final: Bool = false) throws {
        let exact = Double(audioFrames) * Double(video.fps) / Double(sampleRate)
        let target = Int(final ? exact.rounded(.up) : exact.rounded(.down))
        guard video.frameCount < target else { return }
        let frame = picture ?? [UInt8](repeating: 0, count: video.width * video.height * 3)
        while video.frameCount < target { try video.write(frame) }
    }

    /// Appends the grains that started at or after the session's start.
    func writeGrains(_ grains: [LiveSnapshot.Grain]) throws {
        let start = Double(startFrame) / Double(sampleRate)
        var text = ""
        for grain in grains where grain.outputTime >= start {
            let name =
                sourceNames.indices.contains(grain.source) ? Self.quoted(sourceNames[grain.source]) : ""
            text += String(format: "%.6f,%d,", grain.outputTime - start, grain.source) + name
            text += String(
                format: ",%.6f,%.6f,%.6g,%.4f,%llu\n", grain.sourceTime, grain.duration, grain.gain,
                grain.pan,
                grain.frameID)
            grainCount += 1
        }
        if !text.isEmpty { try append(text, to: self.grains, file: File.grains) }
    }

    /// Appends a parameter change: one JSON line with the session time and every sound parameter
    /// (by its name in `SoundModel`, with the sources' volumes and mutes).
    func writeParameters(_ values: LiveParameters, at seconds: Double) throws {
        struct Line: Encodable {
            var time: Double
            var parameters: SoundSettings
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(Line(time: max(0, seconds), parameters: values.sound))
        try append(String(decoding: data, as: UTF8.self) + "\n", to: parameters, file: File.parameters)
        parameterChanges += 1
    }

    /// Completes every file, muxes picture and sound into the MP4 and writes the summary.
    ///
    /// - Parameter summary: extra facts for `session.json`.
    /// - Throws: the first failure; the files completed so far stay.
    func finish(summary: [String: String]) throws {
        try catchUpVideo(with: nil, final: true)
        try soundscape.finish()
        try video.finish()
        try grains.close()
        try parameters.close()
        try Muxer.muxLossless(
            video: directory.appendingPathComponent(File.camera),
            audio: directory.appendingPathComponent(File.soundscape),
            output: directory.appendingPathComponent(File.movie))
        var facts = summary
        facts["started"] = ISO8601DateFormatter().string(from: started)
        facts["seconds"] = String(format: "%.3f", seconds)
        facts["grains"] = String(grainCount)
        facts["parameterChanges"] = String(parameterChanges)
        facts["videoFramesPerSecond"] = String(SessionRecorder.videoFramesPerSecond)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(facts).write(to: directory.appendingPathComponent(File.summary), options: .atomic)
    }

    /// Gives up: closes and removes the partial files (the directory and what was completed stay).
    func abandon() {
        soundscape.abandon()
        video.abandon()
        try? grains.close()
        try? parameters.close()
    }

    private static func create(_ url: URL) throws -> FileHandle {
        guard FileManager.default.createFile(atPath: url.path, contents: nil),
            let handle = FileHandle(forWritingAtPath: url.path)
        else { throw EngineError.invalidOutput(url, "cannot create (is the folder writable?)") }
        return handle
    }

    private func append(_ text: String, to handle: FileHandle, file: String) throws {
        do {
            try handle.write(contentsOf: Data(text.utf8))
        } catch {
            throw EngineError.invalidOutput(
                directory.appendingPathComponent(file), "cannot write: \(error.localizedDescription)")
        }
    }

    /// A CSV field: quoted when it holds a comma, a quote or a line break.
    private static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
