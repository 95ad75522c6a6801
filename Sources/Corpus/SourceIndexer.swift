import Foundation
import MediaIO
import Synchronization
import Vision

/// Turns inputs into corpus sources: frames and audio decoded by ffmpeg, frames embedded by the
/// corpus's EfficientNet-Lite network, all streamed to the source's blobs.
///
/// The picture, the sound and the input checksums are worked on at once (ffmpeg decodes the video
/// in its own process while this thread embeds, and a second process decodes the sound), so on a
/// multi-core machine embedding and audio hide behind video decoding. Not thread-safe.
public final class SourceIndexer {
    /// Indexing choices.
    public struct Options: Sendable {
        /// Frames sampled per second of video (the paper's 1 by default).
        public var framesPerSecond: Double
        /// Index a video without a sound track, with silence, instead of refusing it.
        public var allowSilent: Bool
        /// Index what decodes of a truncated or damaged file, with a warning, instead of refusing it.
        public var allowTruncated: Bool

        /// Creates options.
        ///
        /// - Parameters:
        ///   - framesPerSecond: frames sampled per second of video.
        ///   - allowSilent: accept videos without sound (stored with silence).
        ///   - allowTruncated: accept files that decode shorter than they announce.
        public init(framesPerSecond: Double = 1, allowSilent: Bool = false, allowTruncated: Bool = false) {
            self.framesPerSecond = framesPerSecond
            self.allowSilent = allowSilent
            self.allowTruncated = allowTruncated
        }
    }

    /// The size frames are decoded at for a network of `inputSize` pixels: the short side whose
    /// centre crop (Vision's ImageNet-style 0.875) is exactly `inputSize`, so the crop needs no
    /// further resampling: 256 for Lite0's 224, 274 for Lite1's 240, 297 for Lite2's 260. Query
    /// frames decoded the same way embed identically.
    ///
    /// - Parameter inputSize: the network's input side (a corpus's `model.inputSize`).
    /// - Returns: the decoding size.
    public static func embeddingScaling(inputSize: Int) -> FrameScaling {
        .shortSide(Int((Double(inputSize) / ImagePreprocessor.cropFraction).rounded()))
    }

    /// The size this indexer's frames are decoded at.
    public var embeddingScaling: FrameScaling { Self.embeddingScaling(inputSize: network.inputSize) }
    /// The size of the thumbnails kept for the UI.
    public static let thumbnailScaling = FrameScaling.fit(width: 160, height: 160)
    /// The audio rate of every source.
    public static let sampleRate = 48_000

    /// Indexing choices.
    public let options: Options
    private let network: EfficientNetLite

    /// The identity of the embeddings this indexer makes.
    public var model: ModelIdentity { network.identity }

    /// Creates an indexer.
    ///
    /// - Parameters:
    ///   - network: the embedding network (used from the indexing thread only).
    ///   - options: indexing choices.
    public init(network: EfficientNetLite, options: Options = Options()) {
        self.network = network
        self.options = options
    }

    /// Checks an input and measures it.
    ///
    /// - Parameter input: the input.
    /// - Returns: its plan.
    /// - Throws: `CorpusError` naming the file: missing, not media, audio only where a picture is
    ///   needed, a photo without a recording, a video without sound (unless allowed), zero length.
    public func plan(_ input: SourceInput) throws -> SourcePlan {
        try SourceInput.validate(name: input.resolvedName)
        guard options.framesPerSecond > 0, options.framesPerSecond <= 60 else {
            throw CorpusError.invalidInput(
                "--fps \(options.framesPerSecond)",
                reason: "frames per second must be more than 0 and at most 60")
        }
        let picture = try media { try MediaProbe.probe(input.picture) }
        let path = input.picture.path
        guard let video = picture.video else {
            if picture.audio != nil {
                throw CorpusError.invalidInput(
                    path,
                    reason: "has no picture (it holds audio only); pair it with a photo: "
                        + "PHOTO+\(input.picture.lastPathComponent)")
            }
            throw CorpusError.media(.noContent(input.picture))
        }
        _ = video
        let kind: CorpusSource.Kind = picture.isStillImage ? .still : .video
        var soundFile: MediaInfo? = picture
        if let sound = input.sound {
            let info = try media { try MediaProbe.probe(sound) }
            guard info.audio != nil else { throw CorpusError.media(.noAudioStream(sound)) }
            soundFile = info
        } else if kind == .still {
            throw CorpusError.invalidInput(
                path,
                reason:
                    "is a still image; pair it with a recording: \(input.picture.lastPathComponent)+RECORDING"
            )
        } else if picture.audio == nil {
            guard options.allowSilent else {
                throw CorpusError.invalidInput(
                    path,
                    reason:
                        "has no audio track; pass --allow-silent to index its pictures with silence, or pair "
                        + "it with a recording: \(input.picture.lastPathComponent)+RECORDING")
            }
            soundFile = nil
        }
        let pictureDuration = kind == .still ? nil : picture.duration
        let duration = soundFile?.duration ?? pictureDuration ?? 0
        let frameLimit = min(pictureDuration ?? duration, duration)
        guard duration > 0, kind == .still || frameLimit > 0 else {
            throw CorpusError.media(
                .noContent(duration > 0 ? input.picture : soundFile?.url ?? input.picture))
        }
        return SourcePlan(
            input: input, name: input.resolvedName, kind: kind, picture: picture, soundFile: soundFile,
            duration: duration, frameLimit: frameLimit, framesPerSecond: options.framesPerSecond)
    }

    /// Indexes a planned input into new blobs in `directory`.
    ///
    /// - Parameters:
    ///   - plan: the input's plan.
    ///   - directory: the corpus's `sources` directory.
    ///   - progress: called on this thread after every frame.
    /// - Returns: the source's manifest entry (weight 1, not muted).
    /// - Throws: `CorpusError` naming the file; the blobs are deleted then.
    func index(
        _ plan: SourcePlan, into directory: URL, progress: (IndexProgress) -> Void
    ) throws -> CorpusManifest.SourceRecord {
        guard plan.framesPerSecond == options.framesPerSecond else {
            preconditionFailure("the plan was made by an indexer with other options")
        }
        let blobs = try SourceBlobs(directory: directory, embeddingSize: model.embeddingSize)
        let stop = CancellationFlag()
        let sampleLimit = Int((plan.duration * Double(Self.sampleRate)).rounded())
        let audioJob = plan.soundFile.map { sound in
            BackgroundJob(name: "scenophone.index.audio") {
                do {
                    return try Self.decodeAudio(sound.url, limit: sampleLimit, into: blobs, stop: stop)
                } catch {
                    stop.cancel()  // the picture thread stops early; this error is reported on join
                    throw error
                }
            }
        }
        let files = [plan.input.picture] + (plan.input.sound.map { [$0] } ?? [])
        let hashJob = BackgroundJob(name: "scenophone.index.checksum") {
            try files.map { try SHA256Hex.ofFile($0) }
        }
        do {
            let diagnostics =
                plan.kind == .still
                ? try embedStill(plan, into: blobs, progress: progress)
                : try embedVideo(plan, into: blobs, stop: stop, progress: progress)
            let audio = try audioJob?.join()
            let hashes = try hashJob.join()
            return try finish(plan, blobs: blobs, audio: audio, hashes: hashes, diagnostics: diagnostics)
        } catch {
            stop.cancel()
            _ = try? audioJob?.join()
            _ = try? hashJob.join()
            blobs.abandon()
            throw error
        }
    }

    private func embedStill(
        _ plan: SourcePlan, into blobs: SourceBlobs, progress: (IndexProgress) -> Void
    ) throws -> String {
        let frame = try media {
            try VideoFrameReader.readStill(
                plan.input.picture, scaling: embeddingScaling, thumbnail: Self.thumbnailScaling)
        }
        var embedding = [Float](repeating: 0, count: model.embeddingSize)
        try embed(
            frame.pixels, width: frame.width, height: frame.height, into: &embedding, file: plan.input.picture
        )
        try (frame.thumbnailJPEG ?? []).withUnsafeBytes { thumbnail in
            try embedding.withUnsafeBufferPointer {
                try blobs.appendFrame(time: 0, embedding: $0, thumbnail: thumbnail)
            }
        }
        progress(IndexProgress(frames: 1, mediaSeconds: plan.duration))
        return ""
    }

    private func embedVideo(
        _ plan: SourcePlan, into blobs: SourceBlobs, stop: CancellationFlag, progress: (IndexProgress) -> Void
    ) throws -> String {
        let reader = try media {
            try VideoFrameReader(
                url: plan.input.picture, fps: plan.framesPerSecond, scaling: embeddingScaling,
                thumbnail: Self.thumbnailScaling)
        }
        defer { reader.close() }
        var pixels = [UInt8](repeating: 0, count: reader.frameByteCount)
        var embedding = [Float](repeating: 0, count: model.embeddingSize)
        while let time = try media({ try pixels.withUnsafeMutableBytes { try reader.read(into: $0) } }) {
            guard let thumbnail = reader.nextThumbnail() else {
                throw CorpusError.media(
                    .processFailed(
                        plan.input.picture, program: "ffmpeg", status: 0, message: "a thumbnail is missing"))
            }
            if stop.isCancelled { break }
            if time >= plan.frameLimit { continue }
            try embed(
                pixels, width: reader.width, height: reader.height, into: &embedding, file: plan.input.picture
            )
            try thumbnail.withUnsafeBytes { jpeg in
                try embedding.withUnsafeBufferPointer {
                    try blobs.appendFrame(time: time, embedding: $0, thumbnail: jpeg)
                }
            }
            progress(IndexProgress(frames: blobs.frameCount, mediaSeconds: time + 1 / plan.framesPerSecond))
        }
        return reader.diagnostics
    }

    private func embed(_ pixels: [UInt8], width: Int, height: Int, into embedding: inout [Float], file: URL)
        throws
    {
        do {
            try pixels.withUnsafeBufferPointer { rgb in
                try embedding.withUnsafeMutableBufferPointer { out in
                    try network.embed(rgb: rgb, width: width, height: height, into: out)
                }
            }
        } catch {
            throw CorpusError.embedding(file, reason: "\(error)")
        }
    }

    /// Decodes a file's audio into the audio blob, at most `limit` sample frames.
    private static func decodeAudio(
        _ url: URL, limit: Int, into blobs: SourceBlobs, stop: CancellationFlag
    ) throws -> DecodedAudio {
        let reader = try media { try AudioStreamReader(url: url, sampleRate: sampleRate, maxChannels: 2) }
        defer { reader.close() }
        let channels = reader.channels
        var chunk = [Float](repeating: 0, count: 32_768 * channels)
        var frames = 0
        while frames < limit && !stop.isCancelled {
            let count = try media { try chunk.withUnsafeMutableBufferPointer { try reader.read(into: $0) } }
            if count == 0 { break }
            let take = min(count / channels, limit - frames)
            try chunk.withUnsafeBufferPointer {
                try blobs.appendAudio(UnsafeBufferPointer(rebasing: $0[0..<take * channels]))
            }
            frames += take
        }
        return DecodedAudio(channels: channels, frames: frames, diagnostics: reader.diagnostics)
    }

    private func finish(
        _ plan: SourcePlan, blobs: SourceBlobs, audio: DecodedAudio?,
        hashes: [(sha256: String, bytes: Int64)],
        diagnostics: String
    ) throws -> CorpusManifest.SourceRecord {
        let rate = Double(Self.sampleRate)
        guard blobs.frameCount > 0 else { throw CorpusError.media(.noContent(plan.input.picture)) }
        // What decoded against what the files announce: a shortfall beyond the tolerance is damage.
        let tolerance = max(1 + 1 / plan.framesPerSecond, plan.duration * 0.02)
        var shortfalls: [(file: URL, decoded: Double, expected: Double)] = []
        var videoEnd = 0.0
        if plan.kind == .video {
            videoEnd = min(plan.frameLimit, blobs.frameTimes.last! + 1 / plan.framesPerSecond)
            if plan.frameLimit - videoEnd > tolerance {
                shortfalls.append((plan.input.picture, videoEnd, plan.frameLimit))
            }
        }
        let audioEnd = audio.map { Double($0.frames) / rate }
        if let audioEnd, let sound = plan.soundFile, plan.duration - audioEnd > tolerance {
            shortfalls.append((sound.url, audioEnd, plan.duration))
        }
        var notes: [String] = []
        var duration = plan.duration
        if let shortfall = shortfalls.first {
            let detail =
                [diagnostics, audio?.diagnostics ?? ""].joined(separator: "\n")
                .split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            guard options.allowTruncated else {
                throw CorpusError.truncated(
                    shortfall.file, decoded: shortfall.decoded, expected: shortfall.expected, detail: detail)
            }
            duration = max(audioEnd ?? 0, videoEnd)
            notes.append(
                String(
                    format: "truncated: %@ decoded %.2f s of the %.2f s announced",
                    shortfall.file.lastPathComponent, shortfall.decoded, shortfall.expected))
        }
        let channels = audio?.channels ?? 1
        if audio == nil { notes.append("silent: the video has no sound track") }
        let samples = Int((duration * rate).rounded())
        try blobs.appendSilence(samples: max(0, samples - (audio?.frames ?? 0)) * channels)
        let stored = blobs.frameCount
        let records = try blobs.finish(duration: duration, whole: plan.kind == .still)
        var inputs = [
            CorpusManifest.InputRecord(
                role: plan.input.sound == nil && plan.kind == .video ? "picture+sound" : "picture",
                fileName: plan.input.picture.lastPathComponent, bytes: hashes[0].bytes,
                sha256: hashes[0].sha256)
        ]
        if let sound = plan.input.sound {
            inputs.append(
                CorpusManifest.InputRecord(
                    role: "sound", fileName: sound.lastPathComponent, bytes: hashes[1].bytes,
                    sha256: hashes[1].sha256))
        }
        return CorpusManifest.SourceRecord(
            id: blobs.id, name: plan.name, kind: plan.kind, inputs: inputs, duration: duration,
            framesPerSecond: plan.kind == .video ? plan.framesPerSecond : nil, frameCount: stored,
            sampleRate: Self.sampleRate, channels: channels, audioFrameCount: samples, weight: 1,
            muted: false,
            indexed: CorpusManifest.timestamp(), notes: notes, audio: records.audio, frames: records.frames,
            thumbnails: records.thumbnails)
    }
}

/// A flag one thread raises and others poll: stop early, another part has failed.
final class CancellationFlag: Sendable {
    private let raised = Atomic<Bool>(false)

    /// Raises the flag.
    func cancel() { raised.store(true, ordering: .relaxed) }

    /// Whether the flag is raised.
    var isCancelled: Bool { raised.load(ordering: .relaxed) }
}

/// What the audio thread decoded.
private struct DecodedAudio: Sendable {
    var channels: Int
    var frames: Int
    var diagnostics: String
}

/// Runs MediaIO work, wrapping its errors (which name the file) as corpus errors.
func media<T>(_ work: () throws -> T) throws -> T {
    do {
        return try work()
    } catch let error as MediaIOError {
        throw CorpusError.media(error)
    }
}
