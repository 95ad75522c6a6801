import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// How busy the machine and this process are, read from `/proc` (Linux).
enum ProcessorUsage {
    /// The 1-, 5- and 15-minute load averages, or empty if unknown.
    static func loadAverage() -> [Double] {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return [] }
        return text.split(separator: " ").prefix(3).compactMap { Double($0) }
    }

    /// The CPU's model name, e.g. "AMD EPYC".
    static func processorName() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
            let colon = line.firstIndex(of: ":")
        else { return "unknown" }
        return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }

    /// The logical CPUs online.
    static var processorCount: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// CPU seconds (user + system) used so far by every thread of this process except the caller.
    ///
    /// Measured around a single-threaded loop, it shows whether library worker threads spin.
    static func otherThreadsCPUSeconds() -> Double {
        // /proc/thread-self links to /proc/<pid>/task/<tid> of the calling thread.
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self"))
            .flatMap { $0.split(separator: "/").last.map(String.init) }
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") else {
            return 0
        }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var total = 0.0
        for task in tasks where task != me {
            guard let stat = try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            // Fields after the command name: state is field 3, utime 14 and stime 15 (1-based).
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else {
                continue
            }
            total += (user + system) / ticks
        }
        return total
    }
}
