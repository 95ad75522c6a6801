import Foundation

/// Media files made on the fly with the real `ffmpeg` program, for tests that need known content.
public enum MediaFixtures {
    /// The number of bars in a counting clip's picture: the frame number's bits, most significant left.
    public static let countingBits = 10

    /// Makes a clip whose picture shows its own frame number and whose sound clicks on every second.
    ///
    /// The picture is `countingBits` vertical bars, white for a 1 bit of the frame number (black
    /// otherwise), so a decoded frame tells which source frame it is whatever the scaling. The left
    /// channel is +0.8 for the first 5 ms of each whole second and 0 otherwise; the right channel
    /// (when stereo) the same negated, so channel order can be checked too.
    /// - Parameters:
    ///   - url: the file to write; its extension picks the container.
    ///   - seconds: the length.
    ///   - fps: the picture's frame rate.
    ///   - width: picture width (a multiple of `countingBits` keeps bars sharp).
    ///   - height: picture height.
    ///   - sampleRate: the sound's rate; no sound track when nil.
    ///   - channels: 1 or 2.
    ///   - videoCodec: ffmpeg encoder arguments for the picture.
    ///   - audioCodec: ffmpeg encoder arguments for the sound.
    ///   - videoDelay: seconds of nothing before the picture starts (the sound starts at 0).
    /// - Throws: when ffmpeg fails.
    public static func makeCountingClip(
        at url: URL, seconds: Double, fps: Int = 30, width: Int = 160, height: Int = 90,
        sampleRate: Int? = 44_100, channels: Int = 2, videoCodec: [String] = ["-c:v", "ffv1"],
        audioCodec: [String] = ["-c:a", "flac"], videoDelay: Double = 0
    ) throws {
        let bits = countingBits
        let picture =
            "color=black:s=\(width)x\(height):r=\(fps):d=\(seconds),format=gray,"
            + "geq=lum='if(bitand(N\\,pow(2\\,\(bits - 1)-floor(X*\(bits)/W)))\\,255\\,0)'"
        var arguments = ["-v", "error", "-y", "-f", "lavfi", "-i", picture]
        if let sampleRate {
            let click = "if(lt(mod(t\\,1)\\,0.005)\\,0.8\\,0)"
            let expression = channels == 2 ? "\(click)|-\(click)" : click
            arguments += ["-f", "lavfi", "-i", "aevalsrc='\(expression)':s=\(sampleRate):d=\(seconds)"]
        }
        let mapped: [String]
        if videoDelay > 0, let _ = sampleRate {
            // Re-time the picture inside the filter graph so the container records the late start.
            mapped = [
                "-filter_complex", "[0:v]setpts=PTS+\(videoDelay)/TB[v]", "-map", "[v]", "-map", "1:a",
            ]
        } else {
            mapped = sampleRate == nil ? ["-map", "0:v"] : ["-map", "0:v", "-map", "1:a"]
        }
        arguments += mapped + videoCodec + (sampleRate == nil ? [] : audioCodec) + [url.path]
        let result = try run("ffmpeg", arguments)
        guard result.status == 0 else {
            throw FixtureError("ffmpeg could not make \(url.lastPathComponent): \(result.standardError)")
        }
    }

    /// Reads the frame number shown by a counting clip's picture.
    ///
    /// - Parameters:
    ///   - pixels: the decoded RGB24 frame.
    ///   - width: its width.
    ///   - height: its height.
    /// - Returns: the number the bars encode.
    public static func frameNumber(pixels: [UInt8], width: Int, height: Int) -> Int {
        var number = 0
        for bit in 0..<countingBits {
            let x = (2 * bit + 1) * width / (2 * countingBits)
            let value = pixels[((height / 2) * width + x) * 3]
            number = number << 1 | (value > 127 ? 1 : 0)
        }
        return number
    }

    /// The sample indices where a channel rises through `threshold` (click onsets).
    ///
    /// - Parameters:
    ///   - samples: interleaved samples.
    ///   - channels: interleaved channel count.
    ///   - channel: which channel to scan.
    ///   - threshold: the level to cross upwards (use a negative level with `falling` for inverted clicks).
    ///   - falling: look for crossings downwards instead.
    /// - Returns: the frame index of each crossing.
    public static func onsets(
        _ samples: [Float], channels: Int, channel: Int = 0, threshold: Float = 0.4, falling: Bool = false
    ) -> [Int] {
        var result: [Int] = []
        var previous: Float = 0
        for frame in 0..<samples.count / channels {
            let value = samples[frame * channels + channel]
            if falling
                ? (value < threshold && previous >= threshold) : (value > threshold && previous <= threshold)
            {
                result.append(frame)
            }
            previous = value
        }
        return result
    }
}

/// A test fixture could not be made.
public struct FixtureError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
