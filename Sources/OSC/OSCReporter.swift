import Engine
import Foundation
import Synchronization

/// Sends what the engine hears and sees over OSC, several times a second, on a thread of its own:
///
/// - `/scenophone/sources (s name, f mass)…`: the sources with the most p(t) mass, most first;
/// - `/scenophone/nearest (s source, f time, f distance)…`: the nearest corpus frames;
/// - `/scenophone/labels (s label, f probability)…`: the top ImageNet labels;
/// - `/scenophone/level f peak f rms i underruns`;
/// - `/scenophone/grain s source f time f duration f gain f pan` for each grain, when asked for,
///   at most `grainLimit` a second (the rest are counted in `/scenophone/grains/skipped i`).
public final class OSCReporter: @unchecked Sendable {
    /// The engine playing now: `serve` replaces it when an example is taught.
    private let currentEngine: @Sendable () -> LiveEngine
    private let sender: OSCSender
    private let interval: Double
    private let grainLimit: Int
    private let topSources: Int
    private let running = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)

    /// Creates a reporter (it starts sending with ``start()``).
    ///
    /// - Parameters:
    ///   - engine: gives the engine to report on, each time a summary is sent.
    ///   - sender: where the messages go.
    ///   - rate: summaries per second.
    ///   - grainLimit: the most grain events sent per second (0: none).
    ///   - topSources: how many sources `/scenophone/sources` lists.
    public init(
        engine: @escaping @Sendable () -> LiveEngine, sender: OSCSender, rate: Double = 10,
        grainLimit: Int = 0, topSources: Int = 4
    ) {
        currentEngine = engine
        self.sender = sender
        interval = 1 / max(rate, 0.1)
        self.grainLimit = max(0, grainLimit)
        self.topSources = max(1, topSources)
    }

    /// Starts the thread.
    public func start() {
        running.store(true, ordering: .releasing)
        let thread = Thread { [self] in
            run()
            done.signal()
        }
        thread.name = "sceno-osc-out"
        thread.start()
    }

    /// Stops the thread and waits for it.
    public func stop() {
        guard running.exchange(false, ordering: .acquiringAndReleasing) else { return }
        done.wait()
    }

    private func run() {
        var engine = currentEngine()
        var cursor = engine.snapshot(grainsAfter: .max).grainCursor
        var lastFrame: UInt64 = 0
        var budget = Double(grainLimit)
        while running.load(ordering: .acquiring) {
            Thread.sleep(forTimeInterval: interval)
            let now = currentEngine()
            if now !== engine {
                // A new engine counts its grains afresh.
                engine = now
                cursor = engine.snapshot(grainsAfter: .max).grainCursor
            }
            let snapshot = engine.snapshot(grainsAfter: cursor)
            cursor = snapshot.grainCursor
            var messages = [
                OSCMessage(
                    "/scenophone/level",
                    [
                        .float32(snapshot.peak), .float32(snapshot.rms),
                        .int32(Int32(clamping: snapshot.underruns)),
                    ])
            ]
            if snapshot.frameID != 0 {
                messages.append(sourcesMessage(snapshot))
                if snapshot.frameID != lastFrame {
                    lastFrame = snapshot.frameID
                    messages.append(
                        OSCMessage(
                            "/scenophone/nearest",
                            snapshot.nearest.flatMap {
                                [.string($0.sourceName), .float32(Float($0.time)), .float32($0.distance)]
                            }))
                    messages.append(
                        OSCMessage(
                            "/scenophone/labels",
                            snapshot.labels.flatMap { [.string($0.name), .float32($0.probability)] }))
                }
            }
            if grainLimit > 0 {
                // A token bucket: up to a second's worth in a burst, `grainLimit` a second on average.
                budget = min(Double(grainLimit), budget + Double(grainLimit) * interval)
                var skipped = 0
                for grain in snapshot.grains {
                    guard budget >= 1 else {
                        skipped += 1
                        continue
                    }
                    budget -= 1
                    let name = engine.corpus.sources[grain.source].name
                    messages.append(
                        OSCMessage(
                            "/scenophone/grain",
                            [
                                .string(name), .float32(Float(grain.sourceTime)),
                                .float32(Float(grain.duration)),
                                .float32(grain.gain), .float32(grain.pan),
                            ]))
                }
                if skipped > 0 {
                    messages.append(
                        OSCMessage("/scenophone/grains/skipped", [.int32(Int32(clamping: skipped))]))
                }
            }
            sender.send(messages)
        }
    }

    /// The sources with the most p(t) mass: each curve's bins sum to its source's share.
    private func sourcesMessage(_ snapshot: LiveSnapshot) -> OSCMessage {
        let masses = snapshot.curves.map { ($0.name, $0.probability.reduce(0, +)) }
        let top = masses.sorted { $0.1 > $1.1 }.prefix(topSources)
        return OSCMessage("/scenophone/sources", top.flatMap { [OSCArgument.string($0.0), .float32($0.1)] })
    }
}
