import COpenBLAS
import Foundation

/// What a search needs to know about every frame besides its embedding, computed once: the
/// frames' norms, and their projections onto the embeddings' leading principal components, from
/// which lower bounds of every distance prove far frames without reading them.
///
/// With μ the corpus's mean embedding and `P` the `components` leading principal directions,
/// every frame `x` is stored as `y = Pᵀ(x − μ)` (its coordinates inside the components), `r = ‖e‖`
/// with `e = (x − μ) − P·y` (what the components miss), `r₀ = ‖e + μ_⊥‖` (the same for `x`
/// itself, `μ_⊥ = μ − P·Pᵀμ`), `‖x‖` and `‖x − μ‖`. Every similarity measure's space is
/// `a·(x − b)` for a per-frame scale `a` and `b ∈ {0, μ}`, so these serve all three measures
/// (see ``NearestFrameSearch``): 4·(components + 4) bytes a frame, 528 MB for 10⁶ frames at 128
/// components, against 5 120 bytes a frame of embeddings.
///
/// A corpus of ``NearestFrameSearch/Strategy/boundedMinimumFrames`` frames or more stores it in a
/// file (`docs/corpus-format.md`, "The search index"), written by ``CorpusWriter``; without one,
/// the search builds it at open. With `components == 0` it holds the norms only.
final class SearchIndex: @unchecked Sendable {
    /// The index file's format version, in its header.
    static let version: UInt32 = 1
    /// The four bytes after the magic.
    static let tag = Array("INDX".utf8)

    /// The number of frames.
    let frames: Int
    /// The length of an embedding.
    let dimension: Int
    /// The principal components kept (0: norms only).
    let components: Int
    /// The share of the sampled variance the components explain (1 without components).
    let explainedVariance: Double
    /// μ, `dimension` floats.
    let mean: UnsafePointer<Float>
    /// `Pᵀ`: `components × dimension`, row-major.
    let basis: UnsafePointer<Float>
    /// `y` per frame: `frames × components`.
    let projected: UnsafePointer<Float>
    /// `r` per frame.
    let residuals: UnsafePointer<Float>
    /// `r₀` per frame.
    let offsetResiduals: UnsafePointer<Float>
    /// `‖x‖` per frame.
    let norms: UnsafePointer<Float>
    /// `‖x − μ‖` per frame.
    let centredNorms: UnsafePointer<Float>
    /// The file's bytes, header and arrays, in the file's layout: memory of its own when computed,
    /// the mapped file when read (a page is read from the disk when a search first touches it).
    let bytes: UnsafeRawBufferPointer
    /// What keeps `bytes` alive: an ``AlignedFloats`` or a ``MappedFile``.
    private let storage: AnyObject

    /// Whether the arrays are the mapped file (else memory of their own).
    var isMapped: Bool { storage is MappedFile }

    /// Lays the arrays out over `bytes` (the header, then the arrays in file order).
    private init(
        frames: Int, dimension: Int, components: Int, explainedVariance: Double,
        bytes: UnsafeRawBufferPointer,
        storage: AnyObject
    ) {
        precondition(
            bytes.count == Self.fileSize(frames: frames, dimension: dimension, components: components),
            "the index has the wrong size")
        self.frames = frames
        self.dimension = dimension
        self.components = components
        self.explainedVariance = explainedVariance
        self.bytes = bytes
        self.storage = storage
        var next = (bytes.baseAddress! + CorpusFormat.blobHeaderSize).assumingMemoryBound(to: Float.self)
        func take(_ count: Int) -> UnsafePointer<Float> {
            defer { next += count }
            return UnsafePointer(next)
        }
        mean = take(dimension)
        basis = take(components * dimension)
        projected = take(frames * components)
        residuals = take(frames)
        offsetResiduals = take(frames)
        norms = take(frames)
        centredNorms = take(frames)
    }

    /// An index in memory of its own, its header written and its arrays to fill.
    private convenience init(frames: Int, dimension: Int, components: Int, explainedVariance: Double) {
        let size = Self.fileSize(frames: frames, dimension: dimension, components: components)
        let memory = AlignedFloats(count: size / 4)
        let bytes = UnsafeMutableRawBufferPointer(start: memory.pointer, count: size)
        let header = Self.header(
            frames: frames, dimension: dimension, components: components, explainedVariance: explainedVariance
        )
        bytes.copyBytes(from: header)
        self.init(
            frames: frames, dimension: dimension, components: components,
            explainedVariance: explainedVariance,
            bytes: UnsafeRawBufferPointer(bytes), storage: memory)
    }

    /// Writable access to an array of an index in memory of its own, while it is filled.
    private func filling(_ array: UnsafePointer<Float>) -> UnsafeMutablePointer<Float> {
        precondition(!isMapped, "a mapped index is read-only")
        return UnsafeMutablePointer(mutating: array)
    }

    /// Computes the index of a set of embeddings.
    ///
    /// The components come from the covariance of at most `sampleLimit` evenly spaced frames and a
    /// LAPACK eigendecomposition (0.6–1.1 s at 1280 dimensions); projecting every frame is one
    /// matrix product over all embeddings. Where LAPACK is missing the index has no components.
    /// - Parameters:
    ///   - rows: the embeddings.
    ///   - mean: μ, `rows.dimension` values (the statistics' Euclidean mean).
    ///   - components: principal components to keep (0 for norms only; fewer than the dimension).
    ///   - sampleLimit: at most this many frames estimate the covariance.
    /// - Returns: the index.
    static func build(rows: EmbeddingRows, mean: [Double], components: Int, sampleLimit: Int = 8_192)
        -> SearchIndex
    {
        let d = rows.dimension
        let frames = rows.frameCount
        precondition(mean.count == d, "the mean has the wrong length")
        let meanFloats = AlignedFloats(count: d)
        for i in 0..<d { meanFloats.pointer[i] = Float(mean[i]) }
        var kept = 0
        var explained = 1.0
        var basis: AlignedFloats?
        if components > 0, components < d, frames > 1, SymmetricEigensolver.isAvailable,
            let (vectors, share) = principalDirections(
                rows: rows, mean: meanFloats.pointer, count: components, sampleLimit: sampleLimit)
        {
            kept = components
            explained = share
            basis = vectors
        }
        let index = SearchIndex(frames: frames, dimension: d, components: kept, explainedVariance: explained)
        index.filling(index.mean).update(from: meanFloats.pointer, count: d)
        if let basis { index.filling(index.basis).update(from: basis.pointer, count: kept * d) }
        index.fill(rows: rows)
        return index
    }

    /// The eigenvectors of the sampled covariance with the largest eigenvalues, as rows.
    private static func principalDirections(
        rows: EmbeddingRows, mean: UnsafePointer<Float>, count: Int, sampleLimit: Int
    ) -> (AlignedFloats, Double)? {
        let d = rows.dimension
        let frames = rows.frameCount
        let m = min(frames, sampleLimit)
        let sample = AlignedFloats(count: m * d)
        for row in 0..<m {
            let target = sample.pointer + row * d
            let source = rows.row(row * frames / m)
            for i in 0..<d { target[i] = source[i] - mean[i] }
        }
        let covariance = AlignedFloats(count: d * d)
        cblas_ssyrk(
            CblasRowMajor, CblasUpper, CblasTrans, Int32(d), Int32(m), 1 / Float(m), sample.pointer, Int32(d),
            0, covariance.pointer, Int32(d))
        // Row-major upper is column-major lower: fill the other triangle so either convention reads it.
        for i in 0..<d {
            for j in 0..<i { covariance.pointer[i * d + j] = covariance.pointer[j * d + i] }
        }
        guard let values = SymmetricEigensolver.decompose(covariance.pointer, order: d) else { return nil }
        let total = values.reduce(0.0) { $0 + Double(max(0, $1)) }
        let kept = values.suffix(count).reduce(0.0) { $0 + Double(max(0, $1)) }
        let basis = AlignedFloats(count: count * d)
        basis.pointer.update(from: covariance.pointer + (d - count) * d, count: count * d)
        return (basis, total > 0 ? kept / total : 1)
    }

    /// Projects every frame and measures what the components miss, run by run.
    private func fill(rows: EmbeddingRows) {
        let d = dimension
        let k = components
        // m = Pᵀμ, and ‖μ_⊥‖² = ‖μ‖² − ‖m‖² for r₀.
        var meanProjection = [Double](repeating: 0, count: k)
        for c in 0..<k {
            meanProjection[c] = cblas_dsdot(Int32(d), basis + c * d, 1, mean, 1)
        }
        let projected = filling(self.projected)
        let norms = filling(self.norms)
        let centredNorms = filling(self.centredNorms)
        let residuals = filling(self.residuals)
        let offsetResiduals = filling(self.offsetResiduals)
        rows.forEachRun { first, count, base in
            if k > 0 {
                // Y = X·P − 1·(μᵀP), in blocks so a run of a million rows needs no second copy.
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasTrans, Int32(count), Int32(k), Int32(d), 1, base,
                    Int32(d), basis, Int32(d), 0, projected + first * k, Int32(k))
            }
            for row in 0..<count {
                let frame = first + row
                let x = base + row * d
                var squared = 0.0
                var centredSquared = 0.0
                for i in 0..<d {
                    let value = Double(x[i])
                    squared += value * value
                    let offset = value - Double(mean[i])
                    centredSquared += offset * offset
                }
                var inside = 0.0
                var offsetInside = 0.0
                let y = projected + frame * k
                for c in 0..<k {
                    let raw = Double(y[c])
                    let value = raw - meanProjection[c]
                    y[c] = Float(value)
                    inside += value * value
                    offsetInside += raw * raw
                }
                norms[frame] = Float(squared.squareRoot())
                centredNorms[frame] = Float(centredSquared.squareRoot())
                // r² = ‖x − μ‖² − ‖y‖² and r₀² = ‖x‖² − ‖Pᵀx‖², each a difference in double.
                residuals[frame] = Float(max(0, centredSquared - inside).squareRoot())
                offsetResiduals[frame] = Float(max(0, squared - offsetInside).squareRoot())
            }
        }
    }

    // MARK: - The file

    /// The header's bytes: magic, tag, version, then frames, dimension, components (uint64 each)
    /// and the explained variance (float64); zero to 64 bytes.
    private static func header(frames: Int, dimension: Int, components: Int, explainedVariance: Double)
        -> [UInt8]
    {
        var bytes = CorpusFormat.magic + Self.tag
        withUnsafeBytes(of: Self.version.littleEndian) { bytes += $0 }
        for value in [UInt64(frames), UInt64(dimension), UInt64(components)] {
            withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
        }
        withUnsafeBytes(of: explainedVariance.bitPattern.littleEndian) { bytes += $0 }
        return bytes + [UInt8](repeating: 0, count: CorpusFormat.blobHeaderSize - bytes.count)
    }

    /// The size of the file for these dimensions.
    static func fileSize(frames: Int, dimension: Int, components: Int) -> Int {
        CorpusFormat.blobHeaderSize + 4 * (dimension + components * dimension + frames * (components + 4))
    }

    /// Writes the index to a file, flushed, and returns its record for the manifest.
    ///
    /// - Parameters:
    ///   - url: the file (new).
    ///   - frameBlobs: the ids of the frames blobs the index was computed from, in frame order.
    /// - Returns: the file's record: name, size, SHA-256, components.
    /// - Throws: `CorpusError.systemError` when writing fails.
    func write(to url: URL, frameBlobs: [String]) throws -> CorpusManifest.SearchIndexRecord {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CorpusError.systemError(url, operation: "create", errno: errno)
        }
        defer { close(descriptor) }
        var offset = 0
        while offset < bytes.count {
            let written = Foundation.write(
                descriptor, bytes.baseAddress! + offset, min(bytes.count - offset, 1 << 26))
            if written < 0 {
                if errno == EINTR { continue }
                throw CorpusError.systemError(url, operation: "write", errno: errno)
            }
            offset += written
        }
        guard fsync(descriptor) == 0 else {
            throw CorpusError.systemError(url, operation: "flush", errno: errno)
        }
        return CorpusManifest.SearchIndexRecord(
            file: url.lastPathComponent, bytes: Int64(bytes.count), sha256: SHA256Hex.of(bytes),
            frameCount: frames, components: components, frameBlobs: frameBlobs)
    }

    /// Maps an index file, checking its size and header against the manifest's record, its mean
    /// against the corpus's, its components' lengths and its per-frame lengths, and, when `hash`
    /// is set, its SHA-256.
    ///
    /// Without `hash` the bytes are not read (528 MB at 10⁶ frames): the pages are read when the
    /// search first touches them, and ``Corpus/verifyMedia()`` checks the digest.
    /// - Parameters:
    ///   - record: the manifest's record of the file.
    ///   - directory: the directory holding it.
    ///   - dimension: the corpus's embedding length.
    ///   - mean: the corpus's mean embedding (its statistics'), which the index must hold.
    ///   - hash: whether to check the file's SHA-256 now.
    ///   - corpus: the corpus, named in errors.
    /// - Returns: the index.
    /// - Throws: `CorpusError.damaged` naming the file when anything disagrees,
    ///   `CorpusLoadError.blobMissing` when it is gone.
    static func map(
        _ record: CorpusManifest.SearchIndexRecord, directory: URL, dimension: Int, mean: [Double],
        hash: Bool,
        corpus: URL
    ) throws -> SearchIndex {
        let name = "\(CorpusFormat.sourcesDirectory)/\(record.file)"
        func damaged(_ reason: String) -> CorpusError {
            CorpusError.damaged(corpus, reason: "\(name) \(reason)")
        }
        let expected = fileSize(
            frames: record.frameCount, dimension: dimension, components: record.components)
        guard record.frameCount >= 0, record.components >= 0, record.components < dimension,
            record.bytes == Int64(expected)
        else { throw damaged("should hold \(expected) bytes, the manifest says \(record.bytes)") }
        let url = directory.appendingPathComponent(record.file)
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { throw CorpusLoadError.blobMissing(record.file) }
            throw CorpusError.systemError(url, operation: "open", errno: errno)
        }
        defer { close(descriptor) }
        var info = stat()
        fstat(descriptor, &info)
        guard Int64(info.st_size) == record.bytes else {
            throw damaged("is \(info.st_size) bytes, the manifest says \(record.bytes)")
        }
        let file = try MappedFile(descriptor: descriptor, size: expected, url: url)
        let head = Array(file.bytes.prefix(CorpusFormat.blobHeaderSize))
        let variance = head.withUnsafeBytes {
            Double(bitPattern: UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 40, as: UInt64.self)))
        }
        guard
            head
                == header(
                    frames: record.frameCount, dimension: dimension, components: record.components,
                    explainedVariance: variance)
        else { throw damaged("has a wrong header") }
        if hash {
            guard SHA256Hex.of(file.bytes) == record.sha256 else {
                throw damaged("does not match its checksum")
            }
        }
        let index = SearchIndex(
            frames: record.frameCount, dimension: dimension, components: record.components,
            explainedVariance: variance, bytes: file.bytes, storage: file)
        if let reason = index.implausibility(mean: mean) { throw damaged(reason) }
        return index
    }

    /// What is wrong with the index's small arrays, checked without its digest: μ must be the
    /// corpus's (rounded to float), every component of unit length, and every per-frame length
    /// finite and non-negative (16 bytes a frame: 16 MB at 10⁶ frames, against 256 MB of projections).
    ///
    /// - Parameter mean: the corpus's mean embedding.
    /// - Returns: why the index cannot be this corpus's, or nil.
    func implausibility(mean expected: [Double]) -> String? {
        guard expected.count == dimension, (0..<dimension).allSatisfy({ mean[$0] == Float(expected[$0]) })
        else { return "holds another mean embedding than the manifest's statistics" }
        for c in 0..<components {
            var squared = 0.0
            for i in 0..<dimension {
                squared += Double(basis[c * dimension + i]) * Double(basis[c * dimension + i])
            }
            guard abs(squared - 1) < 1e-3 else {
                return "holds a principal component of length \(squared.squareRoot())"
            }
        }
        for array in [residuals, offsetResiduals, norms, centredNorms] {
            for frame in 0..<frames where !(array[frame].isFinite && array[frame] >= 0) {
                return "holds a negative or non-finite length (frame \(frame))"
            }
        }
        return nil
    }
}
