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

    @Test(arguments: [true, false])
    func residentAudioNeverFaults(lock: Bool) throws {
        let (directory, url) = try SoundscapeCorpus.shared().coldCopy()
        let corpus = try Corpus.open(url)
        corpus.dropAudioFromPageCache()
        let residency = corpus.makeAudioResident(lock: lock)
        let audioBytes = corpus.sources.reduce(0) { $0 + $1.audio.count * 4 }
        #expect(residency.lockedBytes + residency.unlockedBytes >= audioBytes, "\(residency)")
        if !lock {
            #expect(residency.lockedBytes == 0 && residency.lockError == nil, "\(residency)")
        } else if residency.lockError == nil {
            #expect(residency.isLocked, "\(residency)")
        }
        let faults = try Self.majorFaultsReadingAudio(of: corpus)
        #expect(faults == 0, "\(faults) major faults reading resident audio (\(residency))")
        withExtendedLifetime(directory) {}
    }

    /// Reads one sample per page of every source on a new thread, as the audio thread would, and
    /// returns that thread's major page faults.
    private static func majorFaultsReadingAudio(of corpus: Corpus) throws -> Int {
        let result = Mutex<Result<Int, Error>?>(nil)
        let thread = Thread {
            result.withLock {
                $0 = Result {
                    let thread = currentKernelThreadID()
                    let before = try ProcessVitals.read(thread: thread).majorFaults
                    var sum: Float = 0
                    for source in corpus.sources {
                        for index in stride(from: 0, to: source.audio.count, by: 1024) {
                            sum += source.audio[index]
                        }
                    }
                    withExtendedLifetime(sum) {}
                    return try ProcessVitals.read(thread: thread).majorFaults - before
                }
            }
        }
        thread.start()
        while result.withLock({ $0 == nil }) { usleep(1000) }
        return try result.withLock { $0! }.get()
    }
}
