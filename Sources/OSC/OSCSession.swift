import Engine
import Foundation

/// OSC in and out for a live engine, as `--osc-in` and `--osc-out` ask: a receiver applying
/// messages through an ``OSCController`` and a reporter sending summaries.
public final class OSCSession: Sendable {
    /// The receiver, when listening.
    public let receiver: OSCReceiver?
    /// The reporter, when sending.
    public let reporter: OSCReporter?
    private let sender: OSCSender?

    /// Starts what is asked for.
    ///
    /// - Parameters:
    ///   - engine: gives the engine to control and report on (the one playing now).
    ///   - listen: the address and UDP port to listen on, or nil.
    ///   - destination: the address and UDP port to send to, or nil.
    ///   - grainLimit: grain events sent per second (0: none).
    ///   - log: told why each refused message was refused.
    /// - Throws: when a port cannot be bound or the destination resolved.
    public init(
        engine: @escaping @Sendable () -> LiveEngine, listen: (host: String, port: Int)?,
        destination: (host: String, port: Int)?,
        grainLimit: Int = 0, log: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws {
        if let listen {
            let controller = OSCController(engine: engine)
            receiver = try await OSCReceiver.start(host: listen.host, port: listen.port) { message in
                let refusal = controller.handle(message)
                if let refusal { log(refusal) }
                return refusal
            }
        } else {
            receiver = nil
        }
        if let destination {
            let sender = try await OSCSender.connect(host: destination.host, port: destination.port)
            self.sender = sender
            let reporter = OSCReporter(engine: engine, sender: sender, grainLimit: grainLimit)
            reporter.start()
            self.reporter = reporter
        } else {
            sender = nil
            reporter = nil
        }
    }

    /// Stops listening and sending.
    public func stop() async {
        reporter?.stop()
        await receiver?.stop()
        await sender?.close()
    }
}
