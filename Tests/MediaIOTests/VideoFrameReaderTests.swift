import Foundation
import MediaIO
import TestSupport
import Testing

@Suite struct VideoFrameReaderTests {
    /// Frame k must be the picture on screen at k / fps seconds: the last source frame whose
    /// presentation time, as the file stores it, is not later. (Matroska rounds times to
    /// milliseconds, and AAC's encoder delay makes ffmpeg start its picture 23 ms late.)
    @Test(arguments: [
        ("clip.mkv", ["-c:v", "ffv1"], 0.001), ("clip.mp4", ["-c:v", "libx264", "-crf", "10"], 0),
    ])
    func framesAreThePicturesOnScreenAtTheirTimes(name: String, codec: [String], quantum: Double) throws {
        let directory = try TemporaryDirectory()
        let url = directory.file(name)
        try MediaFixtures.makeCountingClip(
            at: url, seconds: 6, fps: 30, videoCodec: codec, audioCodec: ["-c:a", "aac"])
        let probe = try run(
            "ffprobe",
            [
                "-v", "error", "-select_streams", "v", "-show_entries", "stream=start_time", "-of", "csv=p=0",
                url.path,
            ])
        let start = try #require(Double(probe.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)))
        func storedTime(_ frame: Int) -> Double {
            let time = start + Double(frame) / 30
            return quantum == 0 ? time : (time / quantum).rounded() * quantum
        }
        for fps in [1.0, 2.0, 7.5] {
            let reader = try VideoFrameReader(url: url, fps: fps, scaling: .fit(width: 80, height: 80))
            #expect(reader.width == 80 && reader.height == 45)
            var seen: [(Double, Int)] = []
            while let frame = try reader.next() {
                seen.append(
                    (frame.time, MediaFixtures.frameNumber(pixels: frame.pixels, width: 80, height: 45)))
            }
            // One frame for every instant before the last picture stops showing.
            #expect(seen.count == (0..<100).filter { Double($0) / fps < storedTime(180) }.count)
            for (k, (time, number)) in seen.enumerated() {
                #expect(abs(time - Double(k) / fps) < 1e-9)
                let expected = (0..<180).last { storedTime($0) <= time + 1e-9 } ?? 0
                #expect(number == expected, "frame \(k) at \(time) s")
            }
        }
    }

    @Test func lateStartingPictureKeepsTheFileTimeline() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("late.mkv")
        try MediaFixtures.makeCountingClip(at: url, seconds: 4, fps: 30, videoDelay: 0.5)
        let reader = try VideoFrameReader(url: url, fps: 1)
        var numbers: [Int] = []
        while let frame = try reader.next() {
            numbers.append(
                MediaFixtures.frameNumber(pixels: frame.pixels, width: frame.width, height: frame.height))
        }
        // At 1 s the picture has been showing for 0.5 s: its frame 15. At 0 s nothing is shown yet
        // and the first picture stands in.
        #expect(numbers == [0, 15, 45, 75, 105])
    }

    @Test func startTimeSeeksAndKeepsFileTimes() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("clip.mkv")
        try MediaFixtures.makeCountingClip(at: url, seconds: 5, fps: 30)
        let reader = try VideoFrameReader(url: url, fps: 2, startTime: 2, duration: 1.5)
        var frames: [(Double, Int)] = []
        while let frame = try reader.next() {
            frames.append(
                (
                    frame.time,
                    MediaFixtures.frameNumber(pixels: frame.pixels, width: frame.width, height: frame.height)
                ))
        }
        #expect(frames.map(\.0) == [2, 2.5, 3])
        #expect(frames.map(\.1) == [60, 75, 90])
    }

    @Test func thumbnailsAreOneJPEGPerFrame() throws {
        let reader = try VideoFrameReader(
            url: Paths.media.appendingPathComponent("video/tears_of_steel_battle.webm"), fps: 1,
            scaling: .fit(width: 224, height: 224), duration: 10, thumbnail: .fit(width: 160, height: 90))
        var count = 0
        while let frame = try reader.next() {
            let jpeg = try #require(frame.thumbnailJPEG)
            #expect(jpeg.prefix(2) == [0xFF, 0xD8] && jpeg.suffix(2) == [0xFF, 0xD9])
            #expect(jpeg.count > 500 && jpeg.count < 20_000)
            count += 1
        }
        #expect(count == 10)
        #expect(reader.nextThumbnail() == nil)
    }

    @Test func readsAStillImage() throws {
        let frame = try VideoFrameReader.readStill(
            Paths.media.appendingPathComponent("images/skimage_coffee.png"),
            scaling: .fit(width: 300, height: 300),
            thumbnail: .fit(width: 96, height: 96))
        #expect(frame.width == 300 && frame.height == 200 && frame.time == 0)
        #expect(frame.pixels.count == 300 * 200 * 3)
        #expect(frame.thumbnailJPEG?.prefix(2) == [0xFF, 0xD8])
        // A coffee cup on a table is not a blank picture.
        let mean = frame.pixels.reduce(0) { $0 + Int($1) } / frame.pixels.count
        #expect(mean > 30 && mean < 230)
    }

    @Test func audioOnlyFileHasNoPicture() throws {
        let url = Paths.media.appendingPathComponent("audio/blanket_wind.ogg")
        #expect(throws: MediaIOError.noVideoStream(url)) { try VideoFrameReader(url: url, fps: 1) }
    }

    @Test func realtimeDoesNotRunAheadOfTheClock() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("clip.mkv")
        try MediaFixtures.makeCountingClip(at: url, seconds: 1.5, fps: 30, sampleRate: nil)
        let start = Date()
        let reader = try VideoFrameReader(url: url, fps: 10, realtime: true)
        var count = 0
        while try reader.next() != nil { count += 1 }
        #expect(count == 15)
        // A lower bound only: a loaded machine can be slower, never faster than the clock.
        #expect(Date().timeIntervalSince(start) > 1.2)
    }

    @Test func cancelFromAnotherThreadEndsALiveReader() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("clip.mkv")
        try MediaFixtures.makeCountingClip(at: url, seconds: 2, fps: 30, sampleRate: nil)
        let reader = try VideoFrameReader(url: url, fps: 10, realtime: true, loop: true)
        #expect(try reader.next() != nil)
        nonisolated(unsafe) let shared = reader
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { shared.cancel() }
        var count = 0
        while try reader.next() != nil { count += 1 }
        #expect(count < 20)
    }

    @Test func missingCameraIsNamed() throws {
        #expect(throws: MediaIOError.fileNotFound(URL(fileURLWithPath: "/dev/video-none"))) {
            try VideoFrameReader.camera(device: "/dev/video-none")
        }
    }
}
