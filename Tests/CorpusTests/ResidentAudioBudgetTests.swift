import Corpus
import Foundation
import TestSupport
import Testing

/// Making the audio resident stops at the memory budget: an archive's audio (hundreds of GB) is
/// never read in whole, and the result says how much was left on disk.
@Suite struct ResidentAudioBudgetTests {
    @Test func audioPastTheBudgetStaysOnDisk() throws {
        let directory = try TemporaryDirectory()
        let url = try CorpusFixtures.write(
            [
                CorpusFixtures.video(name: "river", frames: 1, seed: 1),
                CorpusFixtures.video(name: "café", frames: 1, seed: 2),
            ],
            to: directory.file("walk.scenophone"))
        let corpus = try Corpus.open(url)
        // One second of 48 kHz stereo float and the blob's header.
        let perSource = 48_000 * 2 * 4 + 64
        let residency = corpus.makeAudioResident(lock: false, budget: perSource + perSource / 2)
        #expect(residency.lockedBytes == 0 && residency.unlockedBytes == perSource)
        #expect(residency.leftOnDiskBytes == perSource && !residency.isLocked)
        #expect(residency.description.contains("left on disk"))
        let all = corpus.makeAudioResident(lock: false)
        #expect(all.unlockedBytes == 2 * perSource && all.leftOnDiskBytes == 0)
        #expect(Corpus.residentAudioBudget > 0)
    }
}
