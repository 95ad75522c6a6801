import ArgumentParser
import Engine
import Foundation
import OSC

/// `--osc-in`, `--osc-out` and their companions, on the live commands (`live`, `serve`).
struct OSCOptions: ParsableArguments {
    @Option(
        name: .customLong("osc-in"),
        help: ArgumentHelp(
            "Listen for OSC on this UDP port: every sound parameter, source volume and mute, presets, camera hold (docs/osc.md; 0 picks a free port).",
            valueName: "port"))
    var oscIn: Int?

    @Option(
        name: .customLong("osc-host"),
        help: "The address --osc-in listens on: 127.0.0.1 (this machine only) or 0.0.0.0 (the network).")
    var oscHost = "127.0.0.1"

    @Option(
        name: .customLong("osc-out"),
        help: ArgumentHelp(
            "Send the top sources with their p(t) mass, the nearest frames, the labels and the level to HOST:PORT over OSC, 10 times a second.",
            valueName: "host:port"))
    var oscOut: String?

    @Option(
        name: .customLong("osc-grains"),
        help: ArgumentHelp(
            "Also send every grain over --osc-out, at most this many a second (0: none).", valueName: "n"))
    var oscGrains = 0

    func validate() throws {
        if let oscIn, !(0...65535).contains(oscIn) {
            throw ValidationError("--osc-in must be a UDP port in 0…65535")
        }
        if oscOut != nil { _ = try destination() }
        guard oscGrains >= 0, oscGrains <= 10_000 else {
            throw ValidationError("--osc-grains must be in 0…10000")
        }
        if oscGrains > 0, oscOut == nil { throw ValidationError("--osc-grains needs --osc-out HOST:PORT") }
    }

    /// `--osc-out` split into host and port.
    private func destination() throws -> (host: String, port: Int)? {
        guard let oscOut else { return nil }
        guard let colon = oscOut.lastIndex(of: ":"), let port = Int(oscOut[oscOut.index(after: colon)...]),
            (1...65535).contains(port), colon != oscOut.startIndex
        else {
            throw ValidationError("--osc-out must be HOST:PORT, e.g. 127.0.0.1:9001 (got '\(oscOut)')")
        }
        let host = String(oscOut[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return (host, port)
    }

    /// Starts OSC for an engine, if asked for, and says where it listens and sends (on standard error).
    ///
    /// - Parameter engine: gives the engine playing now (`serve` replaces it when an example is taught).
    /// - Returns: the session to stop at the end, or nil when no OSC was asked for.
    /// - Throws: when the port cannot be bound or the destination resolved.
    func start(engine: @escaping @Sendable () -> LiveEngine) async throws -> OSCSession? {
        let destination = try destination()
        guard oscIn != nil || destination != nil else { return nil }
        let session = try await OSCSession(
            engine: engine, listen: oscIn.map { (oscHost, $0) }, destination: destination,
            grainLimit: oscGrains
        ) { refusal in
            FileHandle.standardError.write(Data("scenophone: OSC: \(refusal)\n".utf8))
        }
        if let receiver = session.receiver {
            FileHandle.standardError.write(Data("OSC in: udp \(oscHost):\(receiver.port)\n".utf8))
        }
        if let destination {
            FileHandle.standardError.write(
                Data("OSC out: udp \(destination.host):\(destination.port)\n".utf8))
        }
        return session
    }
}
