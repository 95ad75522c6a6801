import Foundation

/// The constants of the on-disk corpus format (see `docs/corpus-format.md`).
enum CorpusFormat {
    /// The manifest version this code writes and the newest it reads. Version 2 added the corpus
    /// statistics; version 3 the search index. Older corpora still open (what they lack is
    /// computed at open) and are upgraded by their next edit of any kind (e.g. `scenophone sources
    /// set CORPUS SOURCE --weight 1`).
    static let version = 3
    /// The blobs' format version, in their headers (unchanged since version 1).
    static let blobVersion = 1
    /// The `format` field of every manifest.
    static let formatName = "scenophone-corpus"
    /// The manifest's name inside the bundle directory.
    static let manifestName = "manifest.json"
    /// The directory holding the source blobs.
    static let sourcesDirectory = "sources"
    /// Every blob starts with this many header bytes; the data after it is 64-byte aligned.
    static let blobHeaderSize = 64
    /// The first eight bytes of every blob.
    static let magic = Array("SCNPHONE".utf8)
    /// Bytes per row of a frames blob's frame table.
    static let frameRowSize = 40
}

/// The three files a source is stored in.
enum BlobKind: String, CaseIterable, Sendable {
    /// Interleaved 32-bit float samples at the source's rate.
    case audio
    /// The frames' embeddings, then their table (time, audio span, thumbnail position).
    case frames
    /// The frames' JPEG thumbnails, back to back.
    case thumbnails = "thumbs"

    /// The four bytes after the magic that say which kind a blob is.
    var tag: [UInt8] {
        switch self {
        case .audio: Array("AUDI".utf8)
        case .frames: Array("FRMS".utf8)
        case .thumbnails: Array("THMB".utf8)
        }
    }

    /// The blob's file name for a source.
    func fileName(source id: String) -> String { "\(id).\(rawValue)" }
}

/// A blob's 64-byte header: magic, kind, format version and the source id it belongs to.
struct BlobHeader: Equatable {
    var kind: BlobKind
    var version: UInt32
    var sourceID: String

    /// The header's bytes.
    var bytes: [UInt8] {
        var bytes = CorpusFormat.magic + kind.tag
        withUnsafeBytes(of: version.littleEndian) { bytes += $0 }
        bytes += SourceID.bytes(sourceID)
        bytes += [UInt8](repeating: 0, count: CorpusFormat.blobHeaderSize - bytes.count)
        return bytes
    }

    /// Reads a header.
    ///
    /// - Parameter bytes: at least 64 bytes.
    /// - Returns: the header, or nil when the bytes are not one.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> BlobHeader? {
        guard bytes.count >= CorpusFormat.blobHeaderSize, Array(bytes[0..<8]) == CorpusFormat.magic,
            let kind = BlobKind.allCases.first(where: { Array(bytes[8..<12]) == $0.tag })
        else { return nil }
        let version = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
        return BlobHeader(kind: kind, version: version, sourceID: SourceID.hex(bytes[16..<32]))
    }
}

/// Source ids: 128 random bits, written as 32 lowercase hex digits.
enum SourceID {
    /// A fresh random id.
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }
            .joined()
    }

    /// Whether a string is a well-formed id (it names files, so nothing else may pass).
    static func isValid(_ id: String) -> Bool {
        id.utf8.count == 32 && id.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    static func bytes(_ id: String) -> [UInt8] {
        let digits = Array(id.utf8)
        return (0..<16).map { i in
            func value(_ c: UInt8) -> UInt8 { c >= 97 ? c - 87 : c - 48 }
            return digits.count == 32 ? value(digits[2 * i]) << 4 | value(digits[2 * i + 1]) : 0
        }
    }

    static func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
