import Corpus
import Foundation
import MediaIO
import TestSupport
import Vision

/// Helpers for corpus tests that write exact, synthetic content (no decoding, no network).
enum CorpusFixtures {
    /// An identity shaped like EfficientNet-Lite0's, with made-up weights.
    static func model(dimension: Int = 16, weights: String = String(repeating: "ab", count: 32))
        -> ModelIdentity
    {
        ModelIdentity(
            name: "efficientnet-lite0", inputSize: 224, embeddingSize: dimension, weightsSHA256: weights,
            normalization: .tensorflow)
    }

    /// A video source: `frames` frames one second apart, embeddings from a seed, stereo audio whose
    /// sample `i` of channel `c` is `seed + i · 1e-6 + c / 2` (so any sample tells where it came from).
    static func video(name: String, frames: Int, dimension: Int = 16, seed: Int = 1) -> PreparedSource {
        let sampleCount = frames * 48_000
        var samples = [Float](repeating: 0, count: sampleCount * 2)
        for i in 0..<sampleCount {
            samples[2 * i] = Float(seed) + Float(i) * 1e-6
            samples[2 * i + 1] = samples[2 * i] + 0.5
        }
        return PreparedSource(
            name: name, kind: .video, frameTimes: (0..<frames).map(Double.init),
            embeddings: (0..<frames * dimension).map { Float(seed * 1_000 + $0) },
            thumbnails: (0..<frames).map {
                [0xFF, 0xD8, UInt8(truncatingIfNeeded: seed), UInt8($0 % 256), 0xFF, 0xD9]
            },
            audio: AudioClip(sampleRate: 48_000, channels: 2, samples: samples))
    }

    /// Writes a new corpus holding the given sources.
    @discardableResult
    static func write(_ sources: [PreparedSource], to url: URL, model: ModelIdentity = model()) throws -> URL
    {
        let writer = try CorpusWriter.create(at: url, model: model)
        for source in sources { try writer.add(prepared: source) }
        try writer.commit()
        return url
    }

    /// The path of a source's blob of a kind (`audio`, `frames`, `thumbs`).
    static func blob(_ corpus: URL, source: Int, kind: String) throws -> URL {
        let opened = try Corpus.open(corpus)
        return corpus.appendingPathComponent("sources/\(opened.sources[source].id).\(kind)")
    }

    /// Flips every bit of one byte of a file.
    static func flipByte(in url: URL, at offset: Int) throws {
        let handle = try FileHandle(forUpdating: url)
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        let byte = try handle.read(upToCount: 1)![0]
        try handle.seek(toOffset: UInt64(offset))
        try handle.write(contentsOf: [~byte])
    }

    /// The entries of a directory, sorted.
    static func listing(_ url: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted()
    }
}
