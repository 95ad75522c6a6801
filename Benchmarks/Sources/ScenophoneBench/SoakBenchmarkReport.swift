import Engine

/// `bench soak --json`: the soak's report and whether it met the goals.
struct SoakBenchmarkReport: Encodable {
    /// Most resident-memory growth allowed, as a fraction of the start.
    static let allowedGrowth = 0.05

    var report: SoakReport
    var residentGrowth: Double
    var descriptorChange: Int
    /// 0 underruns, 0 audio-thread major faults, growth under 5 %, same descriptor count, and the
    /// scene came back after every camera loss.
    var goalsMet: Bool

    init(report: SoakReport) {
        self.report = report
        residentGrowth = report.residentGrowth
        descriptorChange = report.end.openDescriptors - report.start.openDescriptors
        goalsMet =
            report.underruns == 0 && report.audioThreadMajorFaults == 0
            && report.residentGrowth < Self.allowedGrowth && descriptorChange == 0
            && report.cameraReturns == report.cameraLosses
    }
}
