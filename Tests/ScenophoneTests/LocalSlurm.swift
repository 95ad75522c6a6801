import Foundation
import MediaIO
import TestSupport

/// A one-node Slurm cluster on localhost (Debian's `slurm-wlm`): `slurmctld` and `slurmd` started
/// for one test, with a `slurm.conf` generated into its directory (its own ports, state and logs,
/// `auth/none` so no munge key is needed), stopped when the test is done.
///
/// Slurm's daemons are real; only the configuration is minimal. `start` returns why it could not
/// bring the cluster up (not installed, not root, a daemon that will not start) instead of
/// failing, so the test can say so and skip.
final class LocalSlurm {
    /// The generated configuration; commands find it through `SLURM_CONF`.
    let configuration: URL
    private let directory: URL
    private var daemons: [ChildProcess] = []

    /// The environment Slurm commands need to talk to this cluster.
    var environment: [String: String?] { ["SLURM_CONF": configuration.path] }

    private init(directory: URL) {
        self.directory = directory
        configuration = directory.appendingPathComponent("slurm.conf")
    }

    /// The daemons' logs, for failure messages.
    var logs: String {
        ["slurmctld.log", "slurmd.log"].map { name in
            let text =
                (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)) ?? ""
            return "\(name):\n" + text.split(separator: "\n").suffix(15).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// Starts a cluster whose state lives in `directory`.
    ///
    /// - Parameter directory: an empty directory for the configuration, state and logs.
    /// - Returns: the running cluster, or why it cannot run here.
    static func start(in directory: URL) throws -> Result<LocalSlurm, SkipReason> {
        let search = [
            "PATH": (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin") + ":/usr/sbin:/sbin"
        ]
        var programs = [String: String]()
        for name in ["slurmctld", "slurmd", "sbatch", "sinfo"] {
            guard let path = ChildProcess.locate(name, environment: search) else {
                return .failure(
                    SkipReason("\(name) is not installed (Debian package slurm-wlm; scripts/setup --tests)"))
            }
            programs[name] = path
        }
        // slurmd starts job steps as the submitting user, which takes root (CI runs as root).
        guard getuid() == 0 else { return .failure(SkipReason("slurmd needs root to start jobs")) }
        let cluster = LocalSlurm(directory: directory)
        try cluster.writeConfiguration()
        let options = ["-D", "-f", cluster.configuration.path]
        do {
            cluster.daemons.append(
                try ChildProcess(
                    executable: programs["slurmctld"]!, arguments: options + ["-i"],
                    environment: cluster.environment,
                    outputDescriptors: [], collectsOutput: true))
            cluster.daemons.append(
                try ChildProcess(
                    executable: programs["slurmd"]!, arguments: options + ["-N", "localhost"],
                    environment: cluster.environment, outputDescriptors: [], collectsOutput: true))
        } catch {
            cluster.stop()
            return .failure(SkipReason("Slurm's daemons cannot be started: \(error)"))
        }
        // Up when the node is idle: the controller runs and the node daemon has registered.
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let state = try run(programs["sinfo"]!, ["-h", "-o", "%T"], environment: cluster.environment)
            if state.status == 0
                && state.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "idle"
            {
                return .success(cluster)
            }
            if cluster.daemons.contains(where: { !$0.isRunning }) { break }
            usleep(200_000)
        }
        let logs = cluster.logs
        cluster.stop()
        return .failure(SkipReason("Slurm did not come up on localhost within 30 s:\n\(logs)"))
    }

    /// Why a cluster cannot run here.
    struct SkipReason: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    private func writeConfiguration() throws {
        for name in ["state", "spool"] {
            try FileManager.default.createDirectory(
                at: directory.appendingPathComponent(name), withIntermediateDirectories: true)
        }
        // Ports of its own, so it does not meet a Slurm already on the machine.
        let port = Int.random(in: 20_000..<60_000)
        let user = String(cString: getpwuid(getuid()).pointee.pw_name)
        let path = directory.path
        let text = """
            ClusterName=scenophone-test
            SlurmctldHost=localhost
            SlurmUser=\(user)
            SlurmdUser=\(user)
            SlurmctldPort=\(port)
            SlurmdPort=\(port + 1)
            AuthType=auth/none
            CredType=cred/none
            StateSaveLocation=\(path)/state
            SlurmdSpoolDir=\(path)/spool
            SlurmctldPidFile=\(path)/slurmctld.pid
            SlurmdPidFile=\(path)/slurmd.pid
            SlurmctldLogFile=\(path)/slurmctld.log
            SlurmdLogFile=\(path)/slurmd.log
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            JobAcctGatherType=jobacct_gather/none
            AccountingStorageType=accounting_storage/none
            SelectType=select/cons_tres
            SelectTypeParameters=CR_Core
            MpiDefault=none
            ReturnToService=2
            NodeName=localhost CPUs=\(ProcessInfo.processInfo.activeProcessorCount) State=UNKNOWN
            PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP

            """
        try text.write(to: configuration, atomically: true, encoding: .utf8)
    }

    /// Stops the daemons (SIGTERM, then SIGKILL after 10 s) and waits for them.
    func stop() {
        for daemon in daemons { daemon.send(SIGTERM) }
        let deadline = Date().addingTimeInterval(10)
        while daemons.contains(where: \.isRunning) && Date() < deadline { usleep(50_000) }
        for daemon in daemons {
            if daemon.isRunning { daemon.send(SIGKILL) }
            daemon.wait()
        }
        daemons = []
    }

    deinit { stop() }
}
