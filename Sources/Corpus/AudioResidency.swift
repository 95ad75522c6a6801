import Foundation

/// How much of a corpus's audio `Corpus.makeAudioResident(lock:)` locked in memory.
///
/// Locked audio is never evicted, so the audio thread never waits for the disk. Audio only read in
/// is resident too, until memory pressure evicts it: then a grain may stall on a major page fault.
public struct AudioResidency: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Bytes of audio locked in memory.
    public var lockedBytes: Int
    /// Bytes of audio read in but not locked (the kernel refused the lock).
    public var unlockedBytes: Int
    /// The `errno` of the refused `mlock`, if one was refused.
    public var lockError: Int32?
    /// Bytes of audio neither locked nor read in: past the memory budget (an archive's audio is far
    /// larger than any memory: 280 hours are 390 GB), read from the disk when a grain needs them.
    public var leftOnDiskBytes = 0

    /// Whether every byte of audio is locked.
    public var isLocked: Bool { unlockedBytes == 0 && leftOnDiskBytes == 0 }

    public var description: String {
        let locked = Self.mebibytes(lockedBytes)
        let onDisk =
            leftOnDiskBytes > 0
            ? "; \(Self.mebibytes(leftOnDiskBytes)) past the memory budget left on disk (grains there may "
                + "wait for it)" : ""
        guard let lockError else { return "corpus audio locked in memory (\(locked))" + onDisk }
        return "corpus audio read in (\(Self.mebibytes(unlockedBytes))) but not locked: mlock failed ("
            + String(cString: strerror(lockError))
            + "), raise the memory-lock limit (ulimit -l, systemd LimitMEMLOCK=infinity) or grains may "
            + "stall on the disk after memory pressure" + onDisk
    }

    private static func mebibytes(_ bytes: Int) -> String {
        String(format: "%.1f MiB", Double(bytes) / 1_048_576)
    }
}
