import Foundation

#if _endian(big)
    #error("the corpus format is little-endian and written from memory as is")
#endif

/// The three blobs of one source being written: audio, frames (embeddings + table), thumbnails.
///
/// The audio may be appended from one thread while frames are appended from another.
final class SourceBlobs: @unchecked Sendable {
    /// The new source's id.
    let id: String
    private let audio: BlobWriter
    private let frames: BlobWriter
    private let thumbnails: BlobWriter
    private var rows: [(time: Double, thumbnailOffset: Int64, thumbnailLength: Int)] = []
    private let embeddingSize: Int

    /// The number of frames appended.
    var frameCount: Int { rows.count }
    /// The times of the frames appended.
    var frameTimes: [Double] { rows.map(\.time) }

    /// Creates the three files for a new source.
    ///
    /// - Parameters:
    ///   - directory: the corpus's `sources` directory.
    ///   - embeddingSize: floats per embedding.
    /// - Throws: `CorpusError.systemError` naming a file that cannot be created.
    init(directory: URL, embeddingSize: Int) throws {
        id = SourceID.make()
        self.embeddingSize = embeddingSize
        audio = try BlobWriter(directory: directory, kind: .audio, sourceID: id)
        do {
            frames = try BlobWriter(directory: directory, kind: .frames, sourceID: id)
        } catch {
            audio.abandon()
            throw error
        }
        do {
            thumbnails = try BlobWriter(directory: directory, kind: .thumbnails, sourceID: id)
        } catch {
            audio.abandon()
            frames.abandon()
            throw error
        }
    }

    /// Appends one frame.
    ///
    /// - Parameters:
    ///   - time: its time in seconds, later than the previous frame's.
    ///   - embedding: `embeddingSize` finite floats.
    ///   - thumbnail: its JPEG bytes.
    /// - Throws: `CorpusError` when a write fails or the embedding is not finite.
    func appendFrame(time: Double, embedding: UnsafeBufferPointer<Float>, thumbnail: UnsafeRawBufferPointer)
        throws
    {
        precondition(embedding.count == embeddingSize, "embedding of the wrong length")
        guard embedding.allSatisfy(\.isFinite) else {
            throw CorpusError.embedding(
                frames.url, reason: "the network produced a non-finite value at \(time) s")
        }
        let offset = thumbnails.byteCount
        try thumbnails.append(thumbnail)
        try frames.append(UnsafeRawBufferPointer(embedding))
        rows.append((time, offset, thumbnail.count))
    }

    /// Appends interleaved audio samples (from any one thread).
    func appendAudio(_ samples: UnsafeBufferPointer<Float>) throws {
        try audio.append(UnsafeRawBufferPointer(samples))
    }

    /// Appends silence.
    func appendSilence(samples: Int) throws {
        try audio.appendZeros(samples * MemoryLayout<Float>.size)
    }

    /// Audio samples written so far.
    var audioSampleCount: Int {
        Int(audio.byteCount - Int64(CorpusFormat.blobHeaderSize)) / MemoryLayout<Float>.size
    }

    /// Writes the frame table and finishes the three files.
    ///
    /// - Parameters:
    ///   - duration: the source's duration; the last span ends there.
    ///   - whole: every frame stands for the whole recording (a still) rather than its neighbourhood.
    /// - Returns: the manifest entries of the audio, frames and thumbnails blobs.
    /// - Throws: `CorpusError.systemError` when a write fails.
    func finish(duration: Double, whole: Bool) throws -> (
        audio: CorpusManifest.BlobRecord, frames: CorpusManifest.BlobRecord,
        thumbnails: CorpusManifest.BlobRecord
    ) {
        var table = [UInt8]()
        table.reserveCapacity(rows.count * CorpusFormat.frameRowSize)
        for (index, row) in rows.enumerated() {
            let start = whole || index == 0 ? 0 : (rows[index - 1].time + row.time) / 2
            let end = whole || index == rows.count - 1 ? duration : (row.time + rows[index + 1].time) / 2
            for value in [row.time, start, end] {
                withUnsafeBytes(of: value.bitPattern.littleEndian) { table += $0 }
            }
            withUnsafeBytes(of: UInt64(row.thumbnailOffset).littleEndian) { table += $0 }
            withUnsafeBytes(of: UInt32(row.thumbnailLength).littleEndian) { table += $0 }
            table += [0, 0, 0, 0]
        }
        try table.withUnsafeBytes { try frames.append($0) }
        return (try audio.finish(), try frames.finish(), try thumbnails.finish())
    }

    /// Deletes the three files.
    func abandon() {
        audio.abandon()
        frames.abandon()
        thumbnails.abandon()
    }
}
