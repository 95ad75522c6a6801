import Engine
import Foundation
import TestSupport
import Testing

/// `scenophone serve --record DIR`: a session recorded at launch, and one started and stopped from
/// a real page (headless Chromium, fake camera). The MP4 plays (ffprobe sees H.264 and lossless
/// audio) and its audio equals the recorded soundscape sample for sample.
@Suite(.serialized) struct ServeRecordingTests {
    @Test func aPageRecordsASession() async throws {
        let corpus = try SoundscapeCorpus.shared()
        let directory = try TemporaryDirectory("serve-record")
        let camera = directory.file("camera.y4m")
        try FakeCamera.y4m(
            showing: ["rain", "cafe"].map { name in
                Paths.media.appendingPathComponent(SoundscapeCorpus.pairs.first { $0.name == name }!.picture)
            },
            secondsEach: 2, to: camera)
        let recordings = directory.file("recordings")
        let server = try BackgroundProcess(
            Paths.scenophoneExecutable,
            [
                "serve", "--corpus", corpus.url.path, "--audio", "browser", "--port", "0", "--json",
                "--record",
                recordings.path,
            ])
        defer { Task { await server.interrupt() } }
        let line = try await server.waitForLine(timeout: .seconds(600)) { $0.hasPrefix("{") }
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let url = try #require((object["urls"] as? [String])?.first)

        let browser = try await HeadlessChromium.launch(url: url + "?start=camera", fakeCamera: camera)
        // --record started a session at launch: the page shows it; stop it from the page.
        let launched = try await browser.run {
            try $0.waitUntil(
                "window.scenophone && scenophone.framesSent > 5 && scenophone.recording && scenophone.recording.active",
                timeout: 120)
        }
        #expect(launched, "the page did not show the session --record started")
        try await clickRecord(browser, expectActive: false)

        // Record from the page: a few seconds of camera, a grain-rate change in the middle.
        try await clickRecord(browser, expectActive: true)
        let session = try #require(try await browser.value(of: "scenophone.recording.session") as? String)
        try await Task.sleep(for: .seconds(3))
        try await sendParameters(browser, grainRate: 50)
        try await Task.sleep(for: .seconds(3))
        try await clickRecord(browser, expectActive: false)

        let recorded = try RecordedSession(recordings.appendingPathComponent(session))
        print("recorded \(session): \(recorded.soundSeconds) s, \(recorded.grains.count) grains")
        #expect(recorded.soundSeconds > 4, "\(recorded.soundSeconds) s")
        #expect(recorded.movie.video?.codec == "h264" && recorded.movie.audio?.codec == "alac")
        #expect(recorded.movieAudioEqualsSoundscape)
        #expect(recorded.soundscapePeak > 100, "the soundscape is silent")
        #expect((recorded.camera.video?.frameCount ?? 0) >= Int(recorded.soundSeconds * 10) - 1)
        #expect(recorded.grains.count > 100)
        let rates = recorded.parameterChanges.compactMap {
            ($0["parameters"] as? [String: Any])?["grainRate"] as? Double
        }
        // The slider moves in steps of 1/1000 of its log range: about 50.
        #expect(rates.count == 2 && abs((rates.last ?? 0) - 50) < 1, "grain rates recorded: \(rates)")
        // The session started at launch was completed too.
        let sessions = try FileManager.default.contentsOfDirectory(atPath: recordings.path).filter {
            $0.hasPrefix("session-")
        }
        #expect(sessions.count == 2, "\(sessions)")
        #expect(await server.interrupt() == 0)
    }

    /// Clicks the page's Record button and waits until the server says it is (not) recording.
    private func clickRecord(_ browser: HeadlessChromium, expectActive: Bool) async throws {
        let done = try await browser.run {
            _ = try $0.evaluate("document.getElementById('record-toggle').click()")
            return try $0.waitUntil(
                "scenophone.recording && !scenophone.recording.busy && scenophone.recording.active === \(expectActive) "
                    + "&& !scenophone.recording.error",
                timeout: 60)
        }
        let status = try await browser.value(of: "scenophone.recording")
        #expect(done, "Record did not turn \(expectActive ? "on" : "off"): \(String(describing: status))")
    }

    /// Moves the grain-rate slider as a visitor would.
    private func sendParameters(_ browser: HeadlessChromium, grainRate: Double) async throws {
        let range = try #require(SoundModel.parameters.first { $0.name == "grainRate" })
        _ = try await browser.run { page -> Bool in
            _ = try page.evaluate(
                """
                (() => {
                  // A log-scale slider runs from 0 to 1 over the model's range.
                  const slider = document.getElementById('parameter-grainRate');
                  const min = Math.log(\(range.minimum)), max = Math.log(\(range.maximum));
                  slider.value = String((Math.log(\(grainRate)) - min) / (max - min));
                  slider.dispatchEvent(new Event('input', { bubbles: true }));
                  slider.dispatchEvent(new Event('change', { bubbles: true }));
                  return true;
                })()
                """)
            return true
        }
    }
}
