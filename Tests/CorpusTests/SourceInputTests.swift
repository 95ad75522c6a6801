import Corpus
import Foundation
import MediaIO
import Testing

@Suite struct SourceInputTests {
    private let files: Set<String> = [
        "clip.mp4", "rain.jpg", "rain.ogg", "a+b.mp4", "dir/x=y.mp4", "note.wav", "me@home.jpg",
    ]
    private func exists(_ path: String) -> Bool { files.contains(path) }

    @Test func plainFileIsAVideo() throws {
        let input = try SourceInput.parse("clip.mp4", exists: exists)
        #expect(input.picture.lastPathComponent == "clip.mp4" && input.sound == nil && input.name == nil)
        #expect(input.resolvedName == "clip")
    }

    @Test func pairAndName() throws {
        let pair = try SourceInput.parse("rain.jpg+rain.ogg", exists: exists)
        #expect(pair.picture.lastPathComponent == "rain.jpg" && pair.sound?.lastPathComponent == "rain.ogg")
        #expect(pair.resolvedName == "rain")
        let named = try SourceInput.parse("storm=rain.jpg+rain.ogg", exists: exists)
        #expect(named.name == "storm" && named.sound?.lastPathComponent == "rain.ogg")
        #expect(try SourceInput.parse("walk=clip.mp4", exists: exists).name == "walk")
    }

    @Test func existingFilesWinOverTheSyntax() throws {
        #expect(try SourceInput.parse("a+b.mp4", exists: exists).sound == nil)
        #expect(try SourceInput.parse("dir/x=y.mp4", exists: exists).name == nil)
        let pair = try SourceInput.parse("a+b.mp4+note.wav", exists: exists)
        #expect(pair.picture.lastPathComponent == "a+b.mp4" && pair.sound?.lastPathComponent == "note.wav")
    }

    @Test func missingPartIsNamed() throws {
        for (argument, missing) in [
            ("nothere.mp4", "nothere.mp4"), ("rain.jpg+gone.ogg", "gone.ogg"),
            ("gone.jpg+rain.ogg", "gone.jpg"),
        ] {
            let error = try #require(throws: CorpusError.self) {
                try SourceInput.parse(argument, exists: exists)
            }
            #expect("\(error)".contains(missing) && "\(error)".contains("no such file"), "\(argument)")
        }
    }

    @Test func categoryFollowsTheFiles() throws {
        let pair = try SourceInput.parse("storm=rain.jpg+rain.ogg@bad-weather", exists: exists)
        #expect(pair.name == "storm" && pair.sound?.lastPathComponent == "rain.ogg")
        #expect(pair.category == "bad-weather")
        #expect(try SourceInput.parse("clip.mp4@street", exists: exists).category == "street")
        #expect(try SourceInput.parse("clip.mp4", exists: exists).category == nil)
        // An existing file holding `@` is a file; one followed by a category is categorised.
        let file = try SourceInput.parse("me@home.jpg", exists: exists)
        #expect(file.picture.lastPathComponent == "me@home.jpg" && file.category == nil)
        #expect(try SourceInput.parse("me@home.jpg+note.wav@home", exists: exists).category == "home")
    }

    @Test func badCategoryOrMissingFileIsNamed() throws {
        let bad = try #require(throws: CorpusError.self) {
            try SourceInput.parse("rain.jpg+rain.ogg@heavy rain", exists: exists)
        }
        #expect("\(bad)".contains("category 'heavy rain'"))
        let empty = try #require(throws: CorpusError.self) {
            try SourceInput.parse("clip.mp4@", exists: exists)
        }
        #expect("\(empty)".contains("cannot be empty"))
        let missing = try #require(throws: CorpusError.self) {
            try SourceInput.parse("gone.mp4@street", exists: exists)
        }
        #expect("\(missing)".contains("gone.mp4") && !"\(missing)".contains("@street"))
        // Not a category (a dot): the whole argument is the missing file.
        let dotted = try #require(throws: CorpusError.self) {
            try SourceInput.parse("gone@home.jpg", exists: exists)
        }
        #expect("\(dotted)".contains("gone@home.jpg"))
    }

    @Test func categoriesAreShortWords() {
        for good in ["rain", "city-street", "under_water", "café", "lake2"] {
            #expect(SourceCategory.isValid(good), "\(good)")
        }
        for bad in ["", "a b", "a.b", "a,b", "a/b", "a@b", String(repeating: "x", count: 61)] {
            #expect(!SourceCategory.isValid(bad), "\(bad)")
            #expect(throws: CorpusError.self) { try SourceCategory.validate(bad) }
        }
    }

    @Test func namesMustBeTypableBack() {
        #expect(throws: CorpusError.self) { try SourceInput.validate(name: "") }
        #expect(throws: CorpusError.self) { try SourceInput.validate(name: "a/b") }
        #expect(throws: CorpusError.self) { try SourceInput.validate(name: "a+b") }
        #expect(throws: CorpusError.self) { try SourceInput.validate(name: "tab\there") }
        #expect(throws: Never.self) { try SourceInput.validate(name: "café at noon") }
    }
}
