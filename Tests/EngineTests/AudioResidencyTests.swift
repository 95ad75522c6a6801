import AudioOutput
import Corpus
import Engine
import Foundation
import Synchronization
import TestSupport
import Testing

/// The corpus audio a grain reads is in memory before the audio thread touches it: a thread reading
/// a cold corpus's audio takes major page faults (the control: the measurement can see them), and
/// none once the audio was made resident, locked or not.
@Suite struct AudioResidencyTests {
    @Test func readingColdAudioWaitsForTheDisk() throws {
        let (directory, url) = try SoundscapeCorpus.shared().coldCopy()
        let corpus = try Corpus.open(url)
        corpus.dropAudioFromPageCache()
        let faults = try Self.majorFaultsReadingAudio(of: corpus)
        #expect(faults > 0, "reading a cold corpus's audio took no major fault: the measurement is blind")
        withExtendedLifetime(directory) {}
    }

    /// The locked path, as a service with `LimitMEMLOCK=infinity` (or `CAP_IPC_LOCK`) runs it. The
    /// unlocked read-in fallback is not claimed here: in one run a thread reading after it still
    /// took one major fault.
    @Test func lockedAudioNeverFaults() throws {
        let (directory, url) = try SoundscapeCorpus.shared().coldCopy()
        let corpus = try Corpus.open(url)
        corpus.dropAudioFromPageCache()
        let residency = corpus.makeAudioResident()
        let audioBytes = corpus.sources.reduce(0) { $0 + $1.audio.count * 4 }
        #expect(residency.isLocked && residency.lockedBytes >= audioBytes, "\(residency)")
        let faults = try Self.majorFaultsReadingAudio(of: corpus)
        #expect(faults == 0, "\(faults) major faults reading locked audio (\(residency))")
        withExtendedLifetime(directory) {}
    }

    /// Sums every `step`-th sample of every source (1024 floats: one per page).
    private static func readAudio(of corpus: Corpus, every step: Int) -> Float {
        var sum: Float = 0
        for source in corpus.sources {
            for index in stride(from: 0, to: source.audio.count, by: step) { sum += source.audio[index] }
        }
        return sum
    }

    /// Reads one sample per page of every source on a new thread, as the audio thread would, and
    /// returns that thread's major page faults.
    private static func majorFaultsReadingAudio(of corpus: Corpus) throws -> Int {
        let result = Mutex<Result<Int, Error>?>(nil)
        let thread = Thread {
            result.withLock {
                $0 = Result {
                    let thread = currentKernelThreadID()
                    // A first pass over one sample of each source runs every piece of code the
                    // measured pass runs: a library page read in for the code is not the audio's fault.
                    _ = try ProcessVitals.read(thread: thread)
                    _ = Self.readAudio(of: corpus, every: .max)
                    let before = try ProcessVitals.read(thread: thread).majorFaults
                    _ = Self.readAudio(of: corpus, every: 1024)
                    return try ProcessVitals.read(thread: thread).majorFaults - before
                }
            }
        }
        thread.start()
        while result.withLock({ $0 == nil }) { usleep(1000) }
        return try result.withLock { $0! }.get()
    }
}
