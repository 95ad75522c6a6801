import AudioOutput
import Corpus
import Foundation

/// What a soak saw: the process's vitals at the start and the end, and what went wrong between.
public struct SoakReport: Sendable, Codable, CustomStringConvertible {
    /// The plan it followed.
    public var plan: SoakPlan
    /// Seconds actually measured.
    public var seconds: Double
    /// Resident memory, descriptors and the audio thread's faults after the warm-up.
    public var start: ProcessVitals
    /// The same just before the last engine stopped.
    public var end: ProcessVitals
    /// Underruns over the whole run, every engine included.
    public var underruns: Int
    /// Major page faults on the audio threads over the whole run (from each thread's start): each
    /// one a wait for the disk on the real-time thread.
    public var audioThreadMajorFaults: Int
    /// Frames the vision loops analysed over the whole run.
    public var framesAnalysed: UInt64
    /// Camera losses (frames stopped for `plan.cameraLossLength`).
    public var cameraLosses: Int
    /// Losses after which the scene faded out to idle and came back playing when frames returned.
    public var cameraReturns: Int
    /// Engines stopped and built again.
    public var restarts: Int
    /// How the corpus audio was held in memory.
    public var residency: AudioResidency
    /// Whether the corpus audio was dropped from the page cache before the first engine was built.
    public var startedCold: Bool
    /// `/proc/loadavg`'s three averages at the end: how busy the machine was.
    public var loadAverage: String

    /// Growth of resident memory from start to end, as a fraction of the start (0.05 is 5 %).
    public var residentGrowth: Double {
        Double(end.residentBytes - start.residentBytes) / Double(max(start.residentBytes, 1))
    }

    /// Growth of resident anonymous memory (the heap and the allocator's caches), as a fraction of
    /// the start.
    public var anonymousGrowth: Double {
        Double(end.anonymousBytes - start.anonymousBytes) / Double(max(start.anonymousBytes, 1))
    }

    /// Change of the bytes the allocator has handed out and not had back, start to end: a leak's size.
    public var heapInUseChange: Int { end.heapInUseBytes - start.heapInUseBytes }

    /// Frames analysed per second.
    public var visionRate: Double { Double(framesAnalysed) / max(seconds, 1e-9) }

    public var description: String {
        [
            String(format: "measured %.1f s, vision %.1f frames/s, load ", seconds, visionRate) + loadAverage,
            "start: \(start)",
            "end:   \(end)",
            String(
                format:
                    "resident memory %+.2f %% (anonymous %+.2f %%; heap in use %+.2f MiB), descriptors %+d",
                residentGrowth * 100, anonymousGrowth * 100, Double(heapInUseChange) / 1_048_576,
                end.openDescriptors - start.openDescriptors),
            "underruns \(underruns), audio-thread major faults \(audioThreadMajorFaults)",
            "camera lost \(cameraLosses)×, came back \(cameraReturns)×; engine restarts \(restarts)",
            "\(residency)" + (startedCold ? " (page cache dropped first)" : ""),
        ].joined(separator: "\n")
    }
}
