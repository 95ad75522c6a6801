import Engine
import Foundation
import TestSupport
import Testing

/// The one sound model as users meet it: the flags of every command that plays or renders, the
/// page's controls, presets from the page to a file and back through `serve --preset`.
@Suite(.serialized) struct SoundModelCommandTests {
    static let artifacts = Paths.packageRoot.appendingPathComponent(".build/artifacts")

    /// `--help` with its line wrapping undone.
    private func help(_ command: [String]) throws -> String {
        let result = try runScenophone(command + ["--help"])
        #expect(result.status == 0, "\(result.standardError)")
        return result.standardOutput.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    @Test(arguments: [["live"], ["serve"], ["render"], ["demo"]])
    func everyCommandThatPlaysListsTheSoundFlags(command: [String]) throws {
        let text = try help(command)
        #expect(text.contains("--preset"))
        for parameter in SoundModel.parameters {
            #expect(text.contains("--\(parameter.flag) "), "\(command) --help lacks --\(parameter.flag)")
            #expect(
                text.contains(parameter.rangeDescription),
                "\(command) --help lacks the range of --\(parameter.flag): \(parameter.rangeDescription)")
        }
    }

    @Test func aPresetWithABadKeyFailsNamingTheKey() throws {
        let directory = try TemporaryDirectory("bad-preset")
        let file = directory.file("bad.json")
        try Data(#"{"format": "scenophone-preset", "version": 1, "parameters": {"grainRte": 50}}"#.utf8)
            .write(to: file)
        for command in [
            ["live", "--input", "x.mp4"], ["serve"], ["render", "--input", "x.jpg", "--output", "y.wav"],
        ] {
            let result = try runScenophone(command + ["--corpus", "none.scenophone", "--preset", file.path])
            #expect(result.status != 0)
            #expect(
                result.standardError.contains("parameters.grainRte"), "\(command): \(result.standardError)")
            #expect(result.standardError.contains(file.path), "\(command): \(result.standardError)")
        }
        let range = try runScenophone([
            "render", "--corpus", "c", "--input", "x.jpg", "--output", "y.wav", "--floor", "1",
        ])
        #expect(range.status != 0 && range.standardError.contains("\"floor\" is 1"), "\(range.standardError)")
    }

    /// Starts `serve` with browser audio and returns it and its page's address.
    private func startServer(corpus: URL, extra: [String] = []) async throws -> (BackgroundProcess, String) {
        let server = try BackgroundProcess(
            Paths.scenophoneExecutable,
            ["serve", "--corpus", corpus.path, "--audio", "browser", "--port", "0", "--json"] + extra)
        let line = try await server.waitForLine(timeout: .seconds(600)) { $0.hasPrefix("{") }
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        return (server, try #require((object["urls"] as? [String])?.first))
    }

    /// A still camera for the browser (the page does not need one to watch, but Chromium wants a file).
    private func camera(in directory: TemporaryDirectory) throws -> URL {
        let camera = directory.file("camera.y4m")
        let photo = Paths.media.appendingPathComponent(SoundscapeCorpus.pairs[0].picture)
        try FakeCamera.y4m(showing: [photo], secondsEach: 1, to: camera)
        return camera
    }

    @Test func thePagesControlsTheFlagsAndTheModelAgree() async throws {
        let corpus = try SoundscapeCorpus.shared()
        let directory = try TemporaryDirectory("sound-controls")
        let (server, url) = try await startServer(corpus: corpus.url)
        defer { Task { _ = await server.interrupt() } }
        let browser = try await HeadlessChromium.launch(
            url: url + "?start=watch", fakeCamera: try camera(in: directory))
        let ready = try await browser.run {
            try $0.waitUntil("window.scenophone && scenophone.welcome", timeout: 60)
        }
        try #require(ready)
        let ranges = try #require(try await browser.value(of: "scenophone.controlRanges()") as? [String: Any])
        let flags = try help(["serve"])
        #expect(Set(ranges.keys) == Set(SoundModel.parameters.map(\.name)))
        for parameter in SoundModel.parameters {
            let control = try #require(
                ranges[parameter.name] as? [String: Any], "no control for \(parameter.name)")
            #expect(flags.contains("--\(parameter.flag) ") && flags.contains(parameter.rangeDescription))
            if let choices = parameter.choices {
                #expect(control["choices"] as? [String] == choices, "\(parameter.name)")
                continue
            }
            let minimum = try #require(control["minimum"] as? Double)
            let maximum = try #require(control["maximum"] as? Double)
            #expect(
                abs(minimum - parameter.minimum) <= 1e-9 * max(1, abs(parameter.minimum)),
                "\(parameter.name) min \(minimum)")
            #expect(
                abs(maximum - parameter.maximum) <= 1e-9 * max(1, abs(parameter.maximum)),
                "\(parameter.name) max \(maximum)")
            #expect(control["scale"] as? String == parameter.scale.rawValue)
            #expect(control["disabled"] as? Bool == (parameter.effect == .start))
        }
        try FileManager.default.createDirectory(at: Self.artifacts, withIntermediateDirectories: true)
        try await browser.run {
            try $0.screenshot(to: Self.artifacts.appendingPathComponent("sound-controls.png"))
        }
    }

    /// Controls moved on the page, saved as a preset file, `serve --preset` with that file: the new
    /// page shows exactly the same sound.
    @Test func aPresetRoundTripsFromThePageThroughServe() async throws {
        let corpus = try SoundscapeCorpus.shared()
        let directory = try TemporaryDirectory("preset-round-trip")
        let camera = try camera(in: directory)
        let (server, url) = try await startServer(corpus: corpus.url)
        let browser = try await HeadlessChromium.launch(url: url + "?start=watch", fakeCamera: camera)
        try #require(
            try await browser.run { try $0.waitUntil("window.scenophone && scenophone.welcome", timeout: 60) }
        )
        // Move controls as a user would (input events), choose softmax, mute the second source.
        let moved = try await browser.run {
            _ = try $0.evaluate(
                """
                (() => {
                  const set = (name, position) => {
                    const input = document.getElementById(`parameter-${name}`);
                    input.value = String(position);
                    input.dispatchEvent(new Event(input.tagName === 'SELECT' ? 'change' : 'input'));
                  };
                  set('grainRate', 0.4); set('temperature', 0.7); set('onsetJitter', 0.25); set('topK', 40);
                  set('rateJitter', 2.5); set('limiterRelease', 0.3); set('mapping', 1);
                  document.querySelector('.source-row[data-index="1"] .mute').click();
                  return true;
                })()
                """)
            return try $0.waitUntil(
                "scenophone.welcome.parameters.mapping === 'softmax' && scenophone.welcome.parameters.topK === 40 && scenophone.welcome.parameters.sources[1].muted",
                timeout: 20)
        }
        try #require(moved, "the server did not echo the page's changes")
        let before = try #require(
            try await browser.value(of: "scenophone.welcome.parameters") as? [String: Any])
        _ = try await browser.value(of: "(document.getElementById('preset-save').click(), true)")
        try #require(try await browser.run { try $0.waitUntil("scenophone.lastSavedPreset", timeout: 20) })
        let text = try #require(try await browser.value(of: "scenophone.lastSavedPreset") as? String)
        _ = await server.interrupt()

        let file = directory.file("installation.json")
        try Data(text.utf8).write(to: file)
        let (restarted, newURL) = try await startServer(corpus: corpus.url, extra: ["--preset", file.path])
        defer { Task { _ = await restarted.interrupt() } }
        let again = try await HeadlessChromium.launch(url: newURL + "?start=watch", fakeCamera: camera)
        try #require(
            try await again.run { try $0.waitUntil("window.scenophone && scenophone.welcome", timeout: 60) })
        let after = try #require(try await again.value(of: "scenophone.welcome.parameters") as? [String: Any])
        #expect(Set(after.keys) == Set(before.keys))
        for (key, value) in before {
            #expect(
                NSDictionary(dictionary: [key: value]) == NSDictionary(dictionary: [key: after[key] as Any]),
                "\(key): \(value) before, \(after[key] ?? "nothing") after")
        }
        #expect(before["mapping"] as? String == "softmax" && (before["grainRate"] as? Double ?? 100) != 100)
    }
}
