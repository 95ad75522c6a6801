import ArgumentParser
import Corpus
import Foundation

/// `scenophone info CORPUS`: what a corpus holds.
struct InfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe a corpus: sources, durations, frames, model, size on disk.",
        discussion: """
            Opening checks the manifest, every embedding and every frame table against their \
            checksums; --verify also reads all the audio and thumbnails (about 1.4 GB per hour \
            of stereo sound) and checks them too.
            """)

    @Argument(help: "The corpus (a NAME.scenophone directory).")
    var corpus: String

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "Also check every audio and thumbnail byte against its checksum.")
    var verify = false

    func run() async throws {
        let opened = try Corpus.open(URL(fileURLWithPath: corpus), verification: verify ? .full : .standard)
        let report = CorpusReport(opened, verified: verify ? "full" : "standard")
        if json {
            print(try report.json())
        } else {
            print(report.summary)
            print()
            print(report.table)
            if verify { print("\nverified: every checksum matches") }
        }
    }
}
