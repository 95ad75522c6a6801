import ArgumentParser
import Corpus

/// The choices shared by `index` and `sources add`.
struct IndexingOptions: ParsableArguments {
    @Option(help: "Frames sampled per second of video (the paper's default is 1).")
    var fps: Double = 1

    @Flag(help: "Index videos that have no sound track, with silence, instead of refusing them.")
    var allowSilent = false

    @Flag(
        help: """
            Index what decodes of a truncated or damaged file, with a warning, instead of refusing it.
            """)
    var allowTruncated = false

    /// The indexer options these flags choose.
    var options: SourceIndexer.Options {
        SourceIndexer.Options(framesPerSecond: fps, allowSilent: allowSilent, allowTruncated: allowTruncated)
    }

    func validate() throws {
        guard fps > 0, fps <= 60 else { throw ValidationError("--fps must be more than 0 and at most 60") }
    }

    /// The help text describing how sources are written on the command line.
    static let sourceSyntax = """
        Each source is [NAME=]PICTURE[+SOUND][@CATEGORY]: a video with its own sound (river.mp4), \
        a photo standing for a whole recording (rain.jpg+rain.ogg), or a video whose sound comes \
        from another file (street.mp4+street.wav). NAME= names the source (default: the picture's \
        file name without extension); @CATEGORY says what kind of scene it is (letters, digits, \
        '-', '_'; see `scenophone evaluate`). An argument that is an existing file is always \
        taken as a file, whatever it contains.
        """
}
