import AudioOutput
import Foundation

/// What a long run must keep flat, read from `/proc`: the process's resident memory and open file
/// descriptors, and one thread's page faults (the audio thread's, to prove it never waits for the disk).
public struct ProcessVitals: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Resident memory, in bytes: `anonymousBytes + fileBytes` and shared memory.
    public var residentBytes: Int
    /// Resident anonymous memory (the heap, stacks, the allocator's caches), in bytes: where a leak shows.
    public var anonymousBytes: Int
    /// Resident pages of mapped files (the corpus's embeddings and locked audio, the program), in bytes.
    public var fileBytes: Int
    /// Bytes the C allocator has handed out and not had back (`mallinfo2`: in arenas plus mapped
    /// chunks): growth here is a leak; growth of `anonymousBytes` alone is the allocator keeping
    /// freed memory.
    public var heapInUseBytes: Int
    /// Open file descriptors.
    public var openDescriptors: Int
    /// The thread's major page faults since it started (each one a wait for the disk).
    public var majorFaults: Int
    /// The thread's minor page faults since it started (a page mapped in without I/O).
    public var minorFaults: Int

    /// Reads the vitals now.
    ///
    /// - Parameter thread: the kernel thread id whose faults to read (`AudioSinkStatistics.audioThreadID`).
    /// - Returns: the vitals; a fault count the kernel would not give (the thread has ended) is 0.
    /// - Throws: `EngineError` when `/proc/self` cannot be read (not Linux).
    public static func read(thread: Int32) throws -> ProcessVitals {
        let statm = try contents("/proc/self/statm")
        let fields = statm.split(separator: " ")
        guard fields.count > 1, let residentPages = Int(fields[1]) else {
            throw EngineError.invalidInput(
                URL(fileURLWithPath: "/proc/self/statm"), "no resident size in '\(statm)'")
        }
        let faults = (try? threadFaults(thread)) ?? (minor: 0, major: 0)
        let status = try statusKilobytes()
        return ProcessVitals(
            residentBytes: residentPages * Int(sysconf(Int32(_SC_PAGESIZE))),
            anonymousBytes: (status["RssAnon"] ?? 0) * 1024, fileBytes: (status["RssFile"] ?? 0) * 1024,
            heapInUseBytes: heapBytesInUse(),
            openDescriptors: try openDescriptorCount(), majorFaults: faults.major, minorFaults: faults.minor)
    }

    public var description: String {
        String(
            format:
                "RSS %.1f MiB (anonymous %.1f, files %.1f; heap in use %.1f), %d fds, %d major / %d minor faults",
            Self.mebibytes(residentBytes), Self.mebibytes(anonymousBytes), Self.mebibytes(fileBytes),
            Self.mebibytes(heapInUseBytes), openDescriptors, majorFaults, minorFaults)
    }

    private static func mebibytes(_ bytes: Int) -> Double { Double(bytes) / 1_048_576 }

    /// The `kB` lines of `/proc/self/status` (`RssAnon:  1234 kB`), by name.
    private static func statusKilobytes() throws -> [String: Int] {
        var values: [String: Int] = [:]
        for line in try contents("/proc/self/status").split(separator: "\n") where line.hasSuffix(" kB") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2,
                let kilobytes = Int(parts[1].dropLast(3).trimmingCharacters(in: .whitespaces))
            else { continue }
            values[String(parts[0])] = kilobytes
        }
        return values
    }

    /// Minor and major faults from `/proc/self/task/ID/stat` (fields 10 and 12, counted after the
    /// parenthesised name, which may itself hold spaces).
    private static func threadFaults(_ thread: Int32) throws -> (minor: Int, major: Int) {
        let stat = try contents("/proc/self/task/\(thread)/stat")
        guard let close = stat.lastIndex(of: ")") else {
            throw EngineError.invalidInput(
                URL(fileURLWithPath: "/proc/self/task/\(thread)/stat"), "unreadable")
        }
        // After ")": state (field 3), ppid, pgrp, session, tty, tpgid, flags, minflt (10), cminflt, majflt (12).
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 9, let minor = Int(fields[7]), let major = Int(fields[9]) else {
            throw EngineError.invalidInput(
                URL(fileURLWithPath: "/proc/self/task/\(thread)/stat"), "unreadable")
        }
        return (minor, major)
    }

    /// Entries of `/proc/self/fd`, less the one the listing itself opens.
    private static func openDescriptorCount() throws -> Int {
        guard let directory = opendir("/proc/self/fd") else {
            throw EngineError.invalidInput(
                URL(fileURLWithPath: "/proc/self/fd"), "cannot list (errno \(errno))")
        }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { count += 1 }
        }
        return count - 1
    }

    private static func contents(_ path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(
                in: .whitespacesAndNewlines)
        } catch {
            throw EngineError.invalidInput(
                URL(fileURLWithPath: path), "cannot read: \(error.localizedDescription)")
        }
    }
}
