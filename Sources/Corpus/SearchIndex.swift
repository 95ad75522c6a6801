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
/// (see ``NearestFrameSearch``): 4·(components + 4) bytes a frame, 272 MB for 10⁶ frames at 64
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
    let mean: AlignedFloats
    /// `Pᵀ`: `components × dimension`, row-major.
    let basis: AlignedFloats
    /// `y` per frame: `frames × components`.
    let projected: AlignedFloats
    /// `r` per frame.
    let residuals: AlignedFloats
    /// `r₀` per frame.
    let offsetResiduals: AlignedFloats
    /// `‖x‖` per frame.
    let norms: AlignedFloats
    /// `‖x − μ‖` per frame.
    let centredNorms: AlignedFloats

    private init(frames: Int, dimension: Int, components: Int, explainedVariance: Double) {
        self.frames = frames
        self.dimension = dimension
        self.components = components
        self.explainedVariance = explainedVariance
        mean = AlignedFloats(count: dimension)
        basis = AlignedFloats(count: components * dimension)
        projected = AlignedFloats(count: frames * components)
        residuals = AlignedFloats(count: frames)
        offsetResiduals = AlignedFloats(count: frames)
        norms = AlignedFloats(count: frames)
        centredNorms = AlignedFloats(count: frames)
    }

    /// The arrays in file order, with their lengths in floats.
    private var sections: [(AlignedFloats, Int)] {
        [
            (mean, dimension), (basis, components * dimension), (projected, frames * components),
            (residuals, frames), (offsetResiduals, frames), (norms, frames), (centredNorms, frames),
        ]
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
        index.mean.pointer.update(from: meanFloats.pointer, count: d)
        if let basis { index.basis.pointer.update(from: basis.pointer, count: kept * d) }
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
            meanProjection[c] = cblas_dsdot(Int32(d), basis.pointer + c * d, 1, mean.pointer, 1)
        }
        let centred = UnsafeMutablePointer<Float>.allocate(capacity: d)
        defer { centred.deallocate() }
        rows.forEachRun { first, count, base in
            if k > 0 {
                // Y = X·P − 1·(μᵀP), in blocks so a run of a million rows needs no second copy.
                cblas_sgemm(
                    CblasRowMajor, CblasNoTrans, CblasTrans, Int32(count), Int32(k), Int32(d), 1, base,
                    Int32(d), basis.pointer, Int32(d), 0, projected.pointer + first * k, Int32(k))
            }
            for row in 0..<count {
                let frame = first + row
                let x = base + row * d
                var squared = 0.0
                var centredSquared = 0.0
                for i in 0..<d {
                    let value = Double(x[i])
                    squared += value * value
                    let offset = value - Double(mean.pointer[i])
                    centredSquared += offset * offset
                }
                var inside = 0.0
                var offsetInside = 0.0
                let y = projected.pointer + frame * k
                for c in 0..<k {
                    let raw = Double(y[c])
                    let value = raw - meanProjection[c]
                    y[c] = Float(value)
                    inside += value * value
                    offsetInside += raw * raw
                }
                norms.pointer[frame] = Float(squared.squareRoot())
                centredNorms.pointer[frame] = Float(centredSquared.squareRoot())
                // r² = ‖x − μ‖² − ‖y‖² and r₀² = ‖x‖² − ‖Pᵀx‖², each a difference in double.
                residuals.pointer[frame] = Float(max(0, centredSquared - inside).squareRoot())
                offsetResiduals.pointer[frame] = Float(max(0, squared - offsetInside).squareRoot())
            }
        }
    }

    // MARK: - The file

    /// The header's bytes: magic, tag, version, then frames, dimension, components (uint64 each)
    /// and the explained variance (float64); zero to 64 bytes.
    private var header: [UInt8] {
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
        var hasher = SHA256Incremental()
        func put(_ bytes: UnsafeRawBufferPointer) throws {
            hasher.update(bytes)
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw CorpusError.systemError(url, operation: "write", errno: errno)
                }
                offset += written
            }
        }
        try header.withUnsafeBytes { try put($0) }
        for (array, count) in sections {
            try put(UnsafeRawBufferPointer(start: array.pointer, count: count * 4))
        }
        guard fsync(descriptor) == 0 else {
            throw CorpusError.systemError(url, operation: "flush", errno: errno)
        }
        let size = Self.fileSize(frames: frames, dimension: dimension, components: components)
        return CorpusManifest.SearchIndexRecord(
            file: url.lastPathComponent, bytes: Int64(size), sha256: hasher.finalize(),
            frameCount: frames, components: components, frameBlobs: frameBlobs)
    }

    /// Reads an index file, checking its size, header and SHA-256 against the manifest's record.
    ///
    /// - Parameters:
    ///   - record: the manifest's record of the file.
    ///   - directory: the directory holding it.
    ///   - dimension: the corpus's embedding length.
    ///   - corpus: the corpus, named in errors.
    /// - Returns: the index.
    /// - Throws: `CorpusError.damaged` naming the file when anything disagrees,
    ///   `CorpusLoadError.blobMissing` when it is gone.
    static func read(
        _ record: CorpusManifest.SearchIndexRecord, directory: URL, dimension: Int, corpus: URL
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
        let path = directory.appendingPathComponent(record.file).path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { throw CorpusLoadError.blobMissing(record.file) }
            throw CorpusError.systemError(URL(fileURLWithPath: path), operation: "open", errno: errno)
        }
        defer { close(descriptor) }
        var info = stat()
        fstat(descriptor, &info)
        guard Int64(info.st_size) == record.bytes else {
            throw damaged("is \(info.st_size) bytes, the manifest says \(record.bytes)")
        }
        var hasher = SHA256Incremental()
        func take(_ target: UnsafeMutableRawBufferPointer, at start: Int) throws {
            var offset = 0
            while offset < target.count {
                let got = pread(
                    descriptor, target.baseAddress! + offset, min(target.count - offset, 1 << 26),
                    off_t(start + offset))
                if got < 0 && errno == EINTR { continue }
                guard got > 0 else { throw damaged("is cut short") }
                offset += got
            }
            hasher.update(UnsafeRawBufferPointer(target))
        }
        var head = [UInt8](repeating: 0, count: CorpusFormat.blobHeaderSize)
        try head.withUnsafeMutableBytes { try take($0, at: 0) }
        let variance = head.withUnsafeBytes {
            Double(bitPattern: UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 40, as: UInt64.self)))
        }
        let index = SearchIndex(
            frames: record.frameCount, dimension: dimension, components: record.components,
            explainedVariance: variance)
        guard head == index.header else { throw damaged("has a wrong header") }
        var offset = CorpusFormat.blobHeaderSize
        for (array, count) in index.sections {
            try take(UnsafeMutableRawBufferPointer(start: array.pointer, count: count * 4), at: offset)
            offset += count * 4
        }
        guard hasher.finalize() == record.sha256 else { throw damaged("does not match its checksum") }
        return index
    }
}
