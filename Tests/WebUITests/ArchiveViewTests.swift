import AudioOutput
import Engine
import Foundation
import NIOCore
import TestSupport
import Testing

@testable import WebUI

/// Which sources get a lane: all of a few, the heaviest of many, kept in place.
@Suite struct ProminentSourcesTests {
    @Test func aFewSourcesAreAllShownInCorpusOrder() {
        var rows = ProminentSources(sourceCount: 5)
        #expect(rows.update(masses: [0.1, 0.5, 0, 0.3, 0.1]) == [0, 1, 2, 3, 4])
    }

    @Test func theHeaviestSourcesTakeTheRowsAndKeepThem() {
        var rows = ProminentSources(sourceCount: 100, capacity: 3, margin: 1.25)
        #expect(rows.rows == [0, 1, 2], "before any frame: the first sources")
        var masses = [Float](repeating: 0.001, count: 100)
        masses[40] = 0.3
        masses[70] = 0.2
        masses[90] = 0.1
        let first = rows.update(masses: masses)
        #expect(Set(first) == [40, 70, 90])
        // Masses move a little and 90 and 91 swap order narrowly: nothing moves.
        masses[40] = 0.25
        masses[91] = 0.11
        #expect(rows.update(masses: masses) == first)
        // 91 clearly outweighs 90 now: it takes 90's row, the others stay where they were.
        masses[91] = 0.2
        let second = rows.update(masses: masses)
        #expect(second == first.map { $0 == 90 ? 91 : $0 })
    }

    @Test func noMassLeavesTheRowsAsTheyAre() {
        var rows = ProminentSources(sourceCount: 50, capacity: 4)
        #expect(rows.update(masses: [Float](repeating: 0, count: 50)) == [0, 1, 2, 3])
        #expect(rows.update(masses: [1]) == [0, 1, 2, 3], "a wrong count is ignored")
    }
}

@Suite struct PinMessageTests {
    @Test func pinMessagesParse() throws {
        #expect(try ClientMessage.parse(#"{"type":"pin","sources":[12,4031]}"#) == .pin([12, 4031]))
        #expect(try ClientMessage.parse(#"{"type":"pin","sources":[]}"#) == .pin([]))
    }

    @Test(arguments: [
        #"{"type":"pin"}"#, #"{"type":"pin","sources":3}"#, #"{"type":"pin","sources":[-1]}"#,
        #"{"type":"pin","sources":["river"]}"#, #"{"type":"pin","sources":[1.5]}"#,
        #"{"type":"pin","sources":[0,1,2,3,4,5,6,7,8]}"#, #"{"type":"pin","sources":null}"#,
    ])
    func badPinMessagesAreMalformed(_ text: String) {
        #expect(throws: ProtocolViolation.self) { try ClientMessage.parse(text) }
    }

    @Test func aViewerSeesItsPinnedLanesFirstEachSourceOnce() {
        let state = SceneState(
            lanes: [.init(source: 5, mass: 0.5, curve: [0.5]), .init(source: 9, mass: 0.25, curve: [0.25])],
            pinnable: [.init(source: 2, mass: 0.01, curve: [0.01])], sourceCount: 100, totalMass: 1)
        let view = state.viewed(pinning: [2, 9, 2, 77])
        #expect(view.lanes.map(\.source) == [2, 9, 5])
        #expect(view.lanes.map(\.pinned) == [true, true, false])
        #expect(view.pinnable.isEmpty)
        #expect(state.viewed(pinning: []).lanes.map(\.source) == [5, 9])
    }
}

extension LiveServerTests {
    /// The inside view of an archive: 5 000 sources drawn as a few lanes, the rest summarised, a
    /// search by name and pinned sources, in messages whose size does not grow with the corpus.
    @Suite struct ArchiveViewTests {
        /// Frame rate figures print here (no timed assertion: the machine is shared).
        static let artifacts = Paths.packageRoot.appendingPathComponent(".build/artifacts")

        private func rainFrame(sequence: UInt32) throws -> CameraFrameMessage {
            let corpus = try SoundscapeCorpus.shared()
            let photo = corpus.scenes[corpus.scenes.firstIndex { $0.name == "rain" }!].photo
            return try CameraFrameMessage(
                parsing: cameraFrame(
                    from: photo.pixels, width: photo.width, height: photo.height, sequence: sequence),
                side: 224)
        }

        /// Waits until the engine has analysed a frame with the given camera sequence number.
        private func waitForEcho(_ sequence: UInt32, in scene: LiveEngineScene) async throws -> SceneState {
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                let state = scene.snapshot()
                if state.frameSequence == sequence, state.totalMass > 0 { return state }
                try await Task.sleep(for: .milliseconds(20))
            }
            throw TestFailure("frame \(sequence) was never analysed")
        }

        /// The encoded state: what the hub sends a page.
        private func encoded(_ state: SceneState) -> ByteBuffer {
            ServerMessage.state(state, audience: .init(viewers: 1, listeners: 0)).encoded()
        }

        @Test func aStateOf5000SourcesStaysSmall() async throws {
            let archive = try ArchiveCorpus.shared(sourceCount: 5000)
            let (engine, _) = try LiveSoak.makeEngine(corpus: archive.url)
            let scene = LiveEngineScene(engine: engine)
            try engine.start()
            defer { try? engine.stop() }
            #expect(scene.overview.sources.count == 5000)
            scene.submit(try rainFrame(sequence: 7), arrival: MonotonicClock.now())
            let state = try await waitForEcho(7, in: scene)

            // Eight lanes, the heaviest sources, all made from the rain scene; the rest summarised.
            #expect(state.lanes.count == 8)
            let rain = SoundscapeCorpus.pairs.firstIndex { $0.name == "rain" }!
            #expect(state.lanes.allSatisfy { archive.sceneOfSource[$0.source] == rain })
            #expect(state.archive.count == LiveEngineScene.archiveBuckets)
            #expect(abs(state.archive.reduce(0, +) - state.totalMass) < 1e-3)
            #expect(abs(state.totalMass - 1) < 1e-3)
            let shownMass = state.lanes.reduce(0) { $0 + $1.mass }
            let json = try #require(
                try JSONSerialization.jsonObject(with: Data(encoded(state).readableBytesView))
                    as? [String: Any])
            let others = try #require(json["others"] as? [String: Any])
            #expect(others["count"] as? Int == 4992)
            #expect(abs((others["mass"] as? Double ?? -1) - Double(1 - shownMass)) < 1e-3)
            #expect((json["lanes"] as? [[String: Any]])?.count == 8)

            // A pinned source far from the scene gets its lane too, first, for the page that asked.
            let far = try #require(archive.sceneOfSource.firstIndex { $0 != rain })
            let pinned = scene.snapshot(including: [far]).viewed(pinning: [far])
            #expect(pinned.lanes.first?.source == far && pinned.lanes.first?.pinned == true)
            #expect(pinned.lanes.count == 9)

            // Bounded: the message of 5 000 sources is the size of one of 8 (lanes of 200 bins).
            let small = try ArchiveCorpus.shared(sourceCount: 8)
            let (smallEngine, _) = try LiveSoak.makeEngine(corpus: small.url)
            let smallScene = LiveEngineScene(engine: smallEngine)
            try smallEngine.start()
            defer { try? smallEngine.stop() }
            smallScene.submit(try rainFrame(sequence: 8), arrival: MonotonicClock.now())
            let smallState = try await waitForEcho(8, in: smallScene)
            #expect(smallState.lanes.map(\.source) == Array(0..<8), "8 sources: every one, in order")
            let bytes = encoded(state).readableBytes
            let smallBytes = encoded(smallState).readableBytes
            #expect(
                bytes < 24 * 1024, "\(bytes) bytes (\(smallBytes) for 8 sources)")
            let engineAlone = ContinuousClock().measure { for _ in 0..<20 { _ = engine.snapshot() } }

            // The figures: the state's cost per message at 5 000 sources and at 8, and what the
            // former message (every source's curve) cost at 5 000, measured in the same run.
            let figures = [
                measure("5 000 sources", scene: scene), measure("8 sources", scene: smallScene),
                measureEverySourceCurve(state: scene.snapshot(), engine: engine),
            ]
            let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?"
            print(
                String(
                    format: "the engine's own snapshot at 5 000 sources: %.2f ms",
                    milliseconds(engineAlone) / 20))
            print("archive view, server side (debug build, load \(load.prefix(14))):")
            for figure in figures { print("  \(figure)") }
        }

        /// Snapshot + encode time per state and message size, over 60 states.
        private func measure(_ label: String, scene: LiveEngineScene) -> String {
            var snapshot = Duration.zero
            var encode = Duration.zero
            var bytes = 0
            let clock = ContinuousClock()
            for _ in 0..<60 {
                var state = SceneState()
                snapshot += clock.measure { state = scene.snapshot() }
                encode += clock.measure { bytes = encoded(state).readableBytes }
            }
            return String(
                format: "%@: snapshot %.2f ms, encode %.2f ms, %d bytes per state", label,
                milliseconds(snapshot) / 60, milliseconds(encode) / 60, bytes)
        }

        /// What the state before the archive view sent: every source's curve (quantised as now).
        private func measureEverySourceCurve(state: SceneState, engine: LiveEngine) -> String {
            let curves = engine.snapshot().curves.map(\.probability)
            let every = SceneState(
                lanes: curves.enumerated().map { .init(source: $0.offset, mass: 0, curve: $0.element) },
                sourceCount: curves.count, totalMass: 1, archive: state.archive)
            var bytes = 0
            let encode = ContinuousClock().measure {
                for _ in 0..<5 { bytes = encoded(every).readableBytes }
            }
            return String(
                format: "every source's curve (the former message), 5 000 sources: encode %.1f ms, %d bytes",
                milliseconds(encode) / 5, bytes)
        }

        private func milliseconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        }

        /// The page with 5 000 sources in headless Chromium: lanes, the summary, the search and a pin,
        /// and the states it receives per second, beside the same page on 8 sources.
        @Test func thePageShowsAnArchiveOf5000Sources() async throws {
            let directory = try TemporaryDirectory("archive-page")
            let camera = directory.file("camera.y4m")
            let rain = SoundscapeCorpus.pairs.first { $0.name == "rain" }!
            try FakeCamera.y4m(
                showing: [Paths.media.appendingPathComponent(rain.picture)], secondsEach: 2, to: camera)
            var rates: [String] = []
            for count in [5000, 8] {
                let archive = try ArchiveCorpus.shared(sourceCount: count)
                let (engine, _) = try LiveSoak.makeEngine(corpus: archive.url)
                try engine.start()
                defer { try? engine.stop() }
                let (rate, sizes) = try await withLiveServer(engine: LiveEngineScene(engine: engine)) {
                    port, hub in
                    let browser = try await HeadlessChromium.launch(
                        url: "http://127.0.0.1:\(port)/?start=camera", fakeCamera: camera)
                    let live = try await browser.run {
                        try $0.waitUntil(
                            "window.scenophone && scenophone.state && scenophone.state.frame > 3",
                            timeout: 120)
                    }
                    #expect(live, "the page did not stream frames and receive state (\(count) sources)")
                    // The states the page takes in per second, over 5 s (the server sends 15).
                    let before = try await browser.value(of: "scenophone.statesReceived") as? Int ?? 0
                    try await Task.sleep(for: .seconds(5))
                    let after = try await browser.value(of: "scenophone.statesReceived") as? Int ?? 0
                    let perSecond = Double(after - before) / 5
                    let drawn =
                        try await browser.value(
                            of:
                                "{ lanes: scenophone.state.lanes.length, others: scenophone.state.others.count, "
                                + "rows: document.querySelectorAll('.source-row').length, "
                                + "search: !document.getElementById('source-search-row').hidden }")
                        as? [String: Any]
                    if count == 8 {
                        // A corpus of a few sources looks as before: every source a lane and a row.
                        #expect(drawn?["lanes"] as? Int == 8 && drawn?["others"] as? Int == 0)
                        #expect(drawn?["rows"] as? Int == 8 && drawn?["search"] as? Bool == false)
                    } else {
                        try await checkArchivePage(browser, archive: archive, hub: hub, drawn: drawn)
                    }
                    let errors = try await browser.value(of: "scenophone.errors.length") as? Int
                    #expect(errors == 0)
                    return (perSecond, try await welcomeAndParameterSizes(port: port))
                }
                rates.append(
                    String(
                        format: "%d sources: %.1f states/s (welcome %d bytes, parameters %d bytes)", count,
                        rate,
                        sizes.welcome, sizes.parameters))
            }
            let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?"
            print("archive view, the page (state rate 15/s, debug build, load \(load.prefix(14))): \(rates)")
        }

        /// The sizes of the messages that carry every source: the welcome, once per connection, and
        /// the sound (every source's volume and mute), after each change.
        private func welcomeAndParameterSizes(port: Int) async throws -> (welcome: Int, parameters: Int) {
            let probe = TestWebSocket(port: port, path: "/ws")
            probe.send(json: ["type": "hello", "role": "viewer", "listen": false])
            guard case .text(let welcome) = await probe.next(timeout: .seconds(60)) else {
                throw TestFailure("no welcome")
            }
            probe.send(json: ["type": "parameters", "grainRate": 100])
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline, let message = await probe.next(timeout: deadline - .now) {
                if case .text(let text) = message, text.contains(#""type":"parameters""#) {
                    _ = await probe.close()
                    return (welcome.utf8.count, text.utf8.count)
                }
            }
            throw TestFailure("no parameters message")
        }

        private func checkArchivePage(
            _ browser: HeadlessChromium, archive: ArchiveCorpus, hub: LiveHub, drawn: [String: Any]?
        ) async throws {
            #expect(drawn?["lanes"] as? Int == 8 && drawn?["others"] as? Int == 4992)
            #expect(drawn?["search"] as? Bool == true)
            #expect((drawn?["rows"] as? Int ?? 99) <= 16, "the list shows the lanes' sources, not 5 000")

            // The search by name: accents folded, at most 40 rows listed.
            let harbour =
                try await browser.value(of: "scenophone.searchSources('HARBOUR')") as? [String] ?? []
            let expected = archive.names.filter { $0.lowercased().contains("harbour") }
            #expect(harbour == Array(expected.prefix(40)))
            let cafe = try await browser.value(of: "scenophone.searchSources('cafe')") as? [String] ?? []
            #expect(!cafe.isEmpty && cafe.allSatisfy { $0.contains("café") })

            // Pin a café source: the server sends its lane to this page, first, marked pinned.
            let name = try #require(cafe.first)
            let index = try #require(archive.names.firstIndex(of: name))
            _ = try await browser.value(of: "scenophone.pin(\(index), true)")
            let pinned = try await browser.run {
                try $0.waitUntil(
                    "scenophone.state.lanes[0].source === \(index) && scenophone.state.lanes[0].pinned",
                    timeout: 20)
            }
            #expect(pinned, "the pinned source's lane did not come")
            // A bucket of the strip lists its sources: the pinned one's bucket holds it.
            let bucket = index * LiveEngineScene.archiveBuckets / archive.names.count
            let listed =
                try await browser.value(of: "scenophone.showArchiveBucket(\(bucket))") as? [Int] ?? []
            #expect(listed.contains(index) && (20...21).contains(listed.count), "bucket \(bucket): \(listed)")
            #expect(listed.allSatisfy { $0 * LiveEngineScene.archiveBuckets / archive.names.count == bucket })
            // The list as a visitor left it: a search, the pinned source among its matches.
            _ = try await browser.value(of: "scenophone.searchSources('café')")
            // The screenshot: a moment after the pin, with the grains drawn.
            try await Task.sleep(for: .seconds(2))
            try FileManager.default.createDirectory(at: Self.artifacts, withIntermediateDirectories: true)
            let shot = Self.artifacts.appendingPathComponent("archive-view-5000.png")
            try await browser.run { browser in
                // The whole page, not only the window: the lanes, the summary and the strip.
                let height = try browser.evaluate("document.documentElement.scrollHeight") as? Int ?? 1000
                _ = try browser.call(
                    "Emulation.setDeviceMetricsOverride",
                    ["width": 1440, "height": height, "deviceScaleFactor": 1, "mobile": false])
                usleep(500_000)
                try browser.screenshot(to: shot)
            }
            print("screenshot: \(shot.path)")
            #expect(hub.rejections.isEmpty, "rejections: \(hub.rejections)")
        }

        /// A pin naming a source the corpus lacks, or garbage, ends that client alone.
        @Test func aBadPinClosesOnlyThatClient() async throws {
            try await withLiveServer { port, hub in
                let viewer = try await connectedClient(port: port)
                let rogue = try await connectedClient(port: port)
                rogue.send(text: #"{"type":"pin","sources":[2]}"#)
                let error = await rogue.next(type: "error")
                #expect((error?["message"] as? String)?.contains("no source 2") == true)
                #expect(await rogue.closed() != nil)
                let garbage = try await connectedClient(port: port)
                garbage.send(text: #"{"type":"pin","sources":"all of them"}"#)
                #expect(await garbage.closed() != nil)
                viewer.send(text: #"{"type":"pin","sources":[1]}"#)
                #expect(await viewer.next(type: "state") != nil, "the good client lost its state")
                #expect(hub.rejections["malformed"] == 2)
            }
        }
    }
}
