import Foundation

/// Decodes a whole file's audio into memory.
public enum AudioDecoder {
    /// Decodes the first audio stream of a file.
    ///
    /// - Parameters:
    ///   - url: the file.
    ///   - sampleRate: the rate to resample to.
    ///   - maxChannels: mix down to this many channels when the file has more.
    /// - Returns: the audio on the file's timeline (see `AudioStreamReader`).
    /// - Throws: `MediaIOError` naming the file.
    public static func decode(_ url: URL, sampleRate: Int = 48_000, maxChannels: Int = 2) throws -> AudioClip
    {
        let reader = try AudioStreamReader(url: url, sampleRate: sampleRate, maxChannels: maxChannels)
        let expected = Int(((reader.info.duration ?? 0) + 1) * Double(sampleRate)) * reader.channels
        var samples: [Float] = []
        samples.reserveCapacity(expected)
        var chunk = [Float](repeating: 0, count: 65_536 * reader.channels)
        while true {
            let count = try chunk.withUnsafeMutableBufferPointer { try reader.read(into: $0) }
            samples.append(contentsOf: chunk[0..<count])
            if count < chunk.count { break }
        }
        return AudioClip(sampleRate: sampleRate, channels: reader.channels, samples: samples)
    }
}
