import Foundation
import TestSupport
import Testing

/// `scenophone serve` end to end: the real command, the real engine, a real browser.
@Suite(.serialized) struct ServeCommandTests {
    /// Where the browser test leaves its screenshots (inside `.build`, which git ignores).
    static let artifacts = Paths.packageRoot.appendingPathComponent(".build/artifacts")
    /// How long `serve` may take to start listening: seconds alone, minutes when the whole suite starts
    /// at once on two cores (a server that fails exits, and the wait ends at once).
    static let startup = Duration.seconds(600)

    /// Starts `serve` in browser-audio mode and returns it with its page's address.
    ///
    /// - Parameters:
    ///   - corpus: the corpus to serve.
    ///   - port: the port; 0 picks a free one.
    private func startServer(corpus: URL, port: Int = 0) async throws -> (BackgroundProcess, String) {
        let server = try BackgroundProcess(
            Paths.scenophoneExecutable,
            ["serve", "--corpus", corpus.path, "--audio", "browser", "--port", "\(port)", "--json"])
        let line = try await server.waitForLine(timeout: Self.startup) { $0.hasPrefix("{") }
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let url = try #require((object["urls"] as? [String])?.first)
        return (server, url)
    }

    /// The page opens the (fake) camera, streams frames, shows the nearest frames of the source the
    /// camera looks at and a p(t) that moves with it, plays the sound itself, and a second browser
    /// watching sees the same.
    @Test func aBrowserStreamsItsCameraSeesTheInsideViewAndHearsIt() async throws {
        let corpus = try SoundscapeCorpus.shared()
        let directory = try TemporaryDirectory("serve-browser")
        // The fake camera shows the rain photo, then the café photo, three seconds each, in a loop.
        let camera = directory.file("camera.y4m")
        let shown = ["rain", "cafe"]
        try FakeCamera.y4m(
            showing: shown.map { name in
                Paths.media.appendingPathComponent(SoundscapeCorpus.pairs.first { $0.name == name }!.picture)
            },
            secondsEach: 3, to: camera)
        let (server, url) = try await startServer(corpus: corpus.url)
        defer { Task { await server.interrupt() } }

        let browser = try await HeadlessChromium.launch(
            url: url + "?start=camera&listen=1", fakeCamera: camera)
        let streaming = try await browser.run {
            try $0.waitUntil(
                "window.scenophone && scenophone.framesSent > 10 && scenophone.statesReceived > 5",
                timeout: 60)
        }
        #expect(streaming, "the page did not stream frames and receive state")

        // Watch until both scenes have been seen (up to 60 s: on a loaded machine the browser, the
        // server and the vision loop share two cores): the nearest source and the heaviest lane of
        // p(t) must follow the camera.
        var topSources = Set<String>()
        var heaviestLanes = Set<Int>()
        var cardsShown = Set<String>()
        let names = corpus.scenes.map(\.name)
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline && (topSources.count < 2 || heaviestLanes.count < 2) {
            let sample =
                try await browser.value(
                    of: """
                        (() => {
                          const s = scenophone.state;
                          if (!s || !s.nearest.length) return null;
                          const heaviest = s.lanes.reduce((a, b) => (b.mass > a.mass ? b : a));
                          const card = document.querySelector('#nearest .card:not([hidden])');
                          const img = card && card.querySelector('img');
                          return {
                            top: s.nearest[0].source,
                            heaviest: heaviest.source,
                            card: card ? card.querySelector('.label').textContent : null,
                            thumbnailLoaded: !!(img && img.complete && img.naturalWidth > 0),
                          };
                        })()
                        """) as? [String: Any]
            if let sample, let top = sample["top"] as? Int, let heaviest = sample["heaviest"] as? Int {
                topSources.insert(names[top])
                heaviestLanes.insert(heaviest)
                if let card = sample["card"] as? String, sample["thumbnailLoaded"] as? Bool == true {
                    cardsShown.insert(card)
                }
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(topSources == Set(shown), "nearest sources seen: \(topSources)")
        #expect(
            heaviestLanes == Set(shown.map { names.firstIndex(of: $0)! }), "p(t) peaks seen: \(heaviestLanes)"
        )
        #expect(!cardsShown.isDisjoint(with: shown), "cards with loaded thumbnails: \(cardsShown)")

        // The sound plays in the page (browser mode): a second and more of audible samples.
        let audio = try await browser.value(of: "scenophone.audio") as? [String: Any]
        #expect((audio?["played"] as? Double ?? 0) > 48_000, "audio: \(audio ?? [:])")
        #expect((audio?["rms"] as? Double ?? 0) > 1e-4, "audio: \(audio ?? [:])")

        // A second browser only watches: it gets the camera's frames and the same inside view.
        let viewer = try await HeadlessChromium.launch(url: url + "?start=watch", fakeCamera: camera)
        let watching = try await viewer.run {
            try $0.waitUntil(
                "window.scenophone && scenophone.role === 'viewer' && scenophone.previewsReceived > 2 && scenophone.state && scenophone.state.nearest.length > 0",
                timeout: 30)
        }
        #expect(watching, "the viewer did not get previews and state")

        // The screenshots are what a visitor sees: take them mid-scene, once the nearest source has
        // held for a while, so the inside view has caught up with the picture.
        var held = 0
        var lastTop = -1
        let settleBy = ContinuousClock.now + .seconds(15)
        while held < 12 && ContinuousClock.now < settleBy {
            let top = try await browser.value(of: "scenophone.state.nearest[0].source") as? Int ?? -1
            held = top == lastTop ? held + 1 : 0
            lastTop = top
            try await Task.sleep(for: .milliseconds(100))
        }
        try FileManager.default.createDirectory(at: Self.artifacts, withIntermediateDirectories: true)
        let cameraShot = Self.artifacts.appendingPathComponent("serve-camera-page.png")
        let viewerShot = Self.artifacts.appendingPathComponent("serve-viewer-page.png")
        try await browser.run { try $0.screenshot(to: cameraShot) }
        try await viewer.run { try $0.screenshot(to: viewerShot) }
        print("screenshots: \(cameraShot.path), \(viewerShot.path)")
        let errors = try await browser.value(of: "scenophone.errors.length") as? Int
        #expect(errors == 0)

        // The server goes away and comes back on the same port: the page reconnects by itself, takes
        // the camera again and streams on.
        #expect(await server.interrupt() == 0)
        let port = try #require(URLComponents(string: url)?.port)
        let before = try await browser.value(of: "scenophone.statesReceived") as? Int ?? 0
        let (again, _) = try await startServer(corpus: corpus.url, port: port)
        let resumed = try await browser.run {
            try $0.waitUntil(
                "scenophone.connected && scenophone.role === 'camera' && scenophone.statesReceived > \(before + 20) "
                    + "&& scenophone.state && scenophone.state.frame > 5",
                timeout: 60)
        }
        #expect(resumed, "the page did not resume after the server came back")
        #expect(await again.interrupt() == 0)
    }

    @Test func aNetworkBindPrintsAnHTTPSLinkWithATokenAndItsQRCode() async throws {
        let corpus = try SoundscapeCorpus.shared()
        let home = try TemporaryDirectory("serve-home")
        let server = try BackgroundProcess(
            Paths.scenophoneExecutable,
            ["serve", "--corpus", corpus.url.path, "--audio", "browser", "--host", "0.0.0.0", "--port", "0"],
            environment: ["XDG_CONFIG_HOME": home.url.path])
        let link = try await server.waitForLine(timeout: Self.startup) { $0.contains("https://") }
        _ = try await server.waitForLine(timeout: .seconds(10)) { $0.contains("Ctrl-C") }
        let url = link.trimmingCharacters(in: .whitespaces)
        #expect(url.contains("?token="))
        let certificate = home.file("scenophone/tls/certificate.pem")
        #expect(FileManager.default.fileExists(atPath: certificate.path))
        #expect(server.standardOutput.contains("SHA-256 fingerprint"))

        // The QR code, drawn in half blocks, read back into modules and decoded by zbarimg.
        let symbol = server.standardOutput.split(separator: "\n").filter { line in
            !line.isEmpty && line.allSatisfy { " █▀▄".contains($0) }
        }
        #expect(symbol.count > 10)
        let picture = halfBlockPicture(symbol.map(String.init), in: home)
        let decoded = try run("zbarimg", ["--raw", "-q", picture.path])
        #expect(decoded.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == url)
        #expect(await server.interrupt() == 0)
    }

    @Test func aMissingCorpusIsNamed() throws {
        let result = try runScenophone([
            "serve", "--corpus", "/nonexistent/walk.scenophone", "--audio", "browser",
        ])
        #expect(result.status != 0)
        #expect(result.standardError.contains("/nonexistent/walk.scenophone"))
        let token = try runScenophone(["serve", "--corpus", "x", "--host", "0.0.0.0", "--token", "short"])
        #expect(token.status != 0)
        #expect(token.standardError.contains("access token"))
    }

    @Test func aMissingSoundCardOffersTheBrowserInstead() throws {
        let corpus = try SoundscapeCorpus.shared()
        let result = try runScenophone([
            "serve", "--corpus", corpus.url.path, "--device", "scenophone_no_such_device", "--port", "0",
        ])
        #expect(result.status != 0)
        #expect(result.standardError.contains("cannot use ALSA device 'scenophone_no_such_device'"))
        #expect(result.standardError.contains("--audio browser"))
        #expect(result.standardError.split(separator: "\n").count == 1)
    }

    /// Writes terminal half-block art (two modules per character, top and bottom) as a PGM picture,
    /// four pixels per module, with a white margin.
    private func halfBlockPicture(_ lines: [String], in home: TemporaryDirectory) -> URL {
        let width = lines.map(\.count).max() ?? 0
        var modules: [[Bool]] = []
        for line in lines {
            let cells = Array(line) + Array(repeating: " ", count: width - line.count)
            modules.append(cells.map { $0 == "█" || $0 == "▀" })
            modules.append(cells.map { $0 == "█" || $0 == "▄" })
        }
        let scale = 4
        let margin = 8
        let side = (width, modules.count)
        let pixelWidth = side.0 * scale + 2 * margin
        let pixelHeight = side.1 * scale + 2 * margin
        var pixels = [UInt8](repeating: 255, count: pixelWidth * pixelHeight)
        for (y, row) in modules.enumerated() {
            for (x, dark) in row.enumerated() where dark {
                for dy in 0..<scale {
                    for dx in 0..<scale {
                        pixels[(margin + y * scale + dy) * pixelWidth + margin + x * scale + dx] = 0
                    }
                }
            }
        }
        let url = home.file("qr.pgm")
        try? (Data("P5\n\(pixelWidth) \(pixelHeight)\n255\n".utf8) + Data(pixels)).write(to: url)
        return url
    }
}
