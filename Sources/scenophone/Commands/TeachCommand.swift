import ArgumentParser
import CommandLineSupport
import Corpus
import Foundation
import Vision

/// `scenophone teach CORPUS SOURCE IMAGE…`: show the corpus what a source's scene looks like.
struct TeachCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "teach",
        abstract: "Teach a source by example: pictures that should sound like it.",
        discussion: """
            When the camera's view lands on the wrong recording, show the corpus what the \
            scene looks like: each picture is embedded with the corpus's model and stored as an \
            example of SOURCE, searched exactly like the source's own frames. An example stands \
            for the whole source's audio, or for --from/--to seconds of it.

              scenophone teach walk.scenophone rain pier.jpg pier-closer.jpg
              scenophone teach walk.scenophone birds dawn.jpg --from 30 --to 45
              scenophone teach walk.scenophone --list
              scenophone teach walk.scenophone --forget 3f2a9c1e
              scenophone teach walk.scenophone rain --all

            Changes are atomic like every corpus change: a killed run leaves the corpus as it was.
            """)

    @Argument(help: "The corpus.")
    var corpus: String

    @Argument(help: "The source the pictures look like (with --list or --all: only its examples).")
    var source: String?

    @Argument(help: "Still pictures (JPEG, PNG, …) of the source's scene.")
    var images: [String] = []

    @Option(help: "The example stands for the source's audio from this second (default: its start).")
    var from: Double?

    @Option(help: "… to this second (default: the source's end).")
    var to: Double?

    @Flag(help: "List the taught examples instead of teaching.")
    var list = false

    @Option(help: "Forget an example by its id (or a unique start of it); may be repeated.")
    var forget: [String] = []

    @Flag(help: "Forget every example (of SOURCE, when given).")
    var all = false

    @Flag(help: "Print the examples as JSON afterwards.")
    var json = false

    @OptionGroup var model: ModelOptions

    func validate() throws {
        let forgetting = !forget.isEmpty || all
        guard [list, forgetting, !images.isEmpty].filter({ $0 }).count <= 1 else {
            throw ValidationError("teach pictures, --list, or forget (--forget, --all): one at a time")
        }
        if list || forgetting {
            guard from == nil && to == nil else {
                throw ValidationError("--from and --to go with pictures to teach")
            }
            guard !(all && !forget.isEmpty) else {
                throw ValidationError("give --forget ID or --all, not both")
            }
            guard forget.isEmpty || source == nil else {
                throw ValidationError("--forget takes an example id alone (see --list); no SOURCE")
            }
            return
        }
        guard source != nil, !images.isEmpty else {
            throw ValidationError(
                "say which source the pictures look like, then the pictures: CORPUS SOURCE IMAGE…")
        }
        for (name, value) in [("--from", from), ("--to", to)] {
            if let value, !(value.isFinite && value >= 0) {
                throw ValidationError("\(name) must be a number of seconds, 0 or more (got \(value))")
            }
        }
        if let from, let to, to <= from {
            throw ValidationError("--to (\(to)) must be later than --from (\(from))")
        }
    }

    func run() async throws {
        let url = URL(fileURLWithPath: corpus)
        if list {
            let opened = try Corpus.open(url)
            if let source, opened.sourceIndex(named: source) == nil {
                throw CorpusError.noSuchSource(opened.url, name: source)
            }
            try show(ExampleListing(opened, source: source))
            return
        }
        let writer = try CorpusWriter.edit(url)
        if all || !forget.isEmpty {
            var forgotten = 0
            if all {
                forgotten = try writer.forgetAllExamples(of: source)
            } else {
                for id in forget { try writer.forgetExample(id) }
                forgotten = forget.count
            }
            try writer.commit()
            if !json { print("forgot \(forgotten) example\(forgotten == 1 ? "" : "s")") }
            try show(ExampleListing(try Corpus.open(url)))
            return
        }
        try teach(with: writer)
    }

    /// Checks everything, embeds every picture, then adds them all in one commit.
    private func teach(with writer: CorpusWriter) throws {
        guard let source else { return }
        // The source and the range are checked before any picture is embedded.
        guard writer.sourceNames.contains(source) else {
            throw CorpusError.noSuchSource(writer.url, name: source)
        }
        let duration = writer.duration(ofSource: source) ?? 0
        let span = (from ?? 0)..<(to ?? duration)
        try CorpusWriter.checkExampleSpan(span, sourceName: source, duration: duration)
        let pictures = images.map { URL(fileURLWithPath: $0) }
        for picture in pictures where !FileManager.default.fileExists(atPath: picture.path) {
            throw CorpusError.media(.fileNotFound(picture))
        }
        // The corpus's model, never another: its embeddings could not be compared.
        let network = try Corpus.loadNetwork(
            matching: writer.model, corpus: writer.url, modelDirectory: model.directory)
        let embedder = ExampleEmbedder(network: network)
        guard embedder.model == writer.model else {
            throw CorpusError.modelMismatch(writer.url, corpus: writer.model, current: embedder.model)
        }
        let bar = ProgressBar(total: pictures.count, unit: "pictures")
        defer { bar.finish() }
        var taught: [TaughtPicture] = []
        for (done, picture) in pictures.enumerated() {
            bar.update(done: done, label: picture.lastPathComponent)
            taught.append(try embedder.embed(pictureAt: picture))
        }
        for picture in taught {
            try writer.addExample(picture, to: source, span: from == nil && to == nil ? nil : span)
        }
        try writer.commit()
        bar.finish()
        if !json {
            print("taught \(taught.count) example\(taught.count == 1 ? "" : "s") of '\(source)'")
        }
        try show(ExampleListing(try Corpus.open(writer.url), source: source))
    }

    private func show(_ listing: ExampleListing) throws {
        print(json ? try listing.json() : listing.table)
    }
}
