import ArgumentParser
import AudioOutput
import CommandLineSupport
import Corpus
import Engine
import Foundation
import Hummingbird
import Logging
import Vision
import WebUI

/// `scenophone serve`: the web app. Point a phone at the world and hear it.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the web app: a phone's camera in, the soundscape and the inside view out.",
        discussion: """
            Open the printed address in a browser. One device at a time is the camera (its browser \
            sends frames, scaled to the network's input, about ten a second); any number of others \
            watch the inside view: the camera frame, the nearest corpus frames, p(t) over every \
            recording, the grains as they play, the ImageNet labels and the output level, with \
            controls that change the sound at once. "Sounds like ▸ source" stores the camera frame \
            as an example of a source (like 'scenophone teach') and reloads the engine to use it.

            The sound plays on this machine's sound card (--audio device), and any page can also \
            play it itself ("Play sound here"). Without a sound card use --audio browser: a paced \
            clock stands in for the card and only the pages play.

            By default the server listens on 127.0.0.1, where browsers allow the camera over plain \
            HTTP. --host 0.0.0.0 opens it to the network: it then speaks HTTPS (phones only open \
            the camera on secure pages) with a self-signed certificate made on first run and kept \
            in ~/.config/scenophone/tls (or --certificate/--key), and requires an access token, \
            printed in the link and as a QR code. Stop with Ctrl-C.
            """)

    /// Where the server's own sound goes.
    enum AudioChoice: String, ExpressibleByArgument, CaseIterable {
        case device, browser
    }

    @Option(help: "The corpus to play from (made with 'scenophone index').")
    var corpus: String

    @Option(help: "The address to listen on: 127.0.0.1 (this machine only) or 0.0.0.0 (the network).")
    var host = "127.0.0.1"

    @Option(help: "The TCP port (0 picks a free one).")
    var port = 8080

    @Option(help: "device: this machine's sound card (pages may also listen); browser: only the pages play.")
    var audio = AudioChoice.device

    @Option(help: "The ALSA device for --audio device (see 'aplay -L').")
    var device = "default"

    @Option(help: "The access token for a network bind (random by default; at least 16 URL-safe characters).")
    var token: String?

    @Option(help: "A PEM certificate to serve HTTPS with, instead of the self-signed one.")
    var certificate: String?

    @Option(help: "The PEM private key of --certificate.")
    var key: String?

    @Option(
        help: ArgumentHelp(
            "Record sessions into this folder, starting one at once; the page's Record button stops and starts them.",
            discussion:
                "Each session is a folder: soundscape.wav, grains.csv, parameters.jsonl, camera.mp4 and "
                + "session.mp4 (the camera picture over the soundscape).",
            valueName: "dir"))
    var record: String?

    @OptionGroup var idle: IdleOptions

    @OptionGroup(title: "Sound") var sound: SoundOptions

    @OptionGroup(title: "OSC") var osc: OSCOptions

    @OptionGroup var model: ModelOptions

    @Flag(
        help:
            "Print the addresses as one JSON line once listening (for scripts), instead of the text and QR code."
    )
    var json = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0…65535") }
        guard (certificate == nil) == (key == nil) else {
            throw ValidationError("give --certificate and --key together")
        }
        if let token { _ = try AccessToken(token) }
    }

    func run() async throws {
        let corpus = try Corpus.open(URL(fileURLWithPath: self.corpus))
        let loopback = WebUIConfiguration(host: host).isLoopback
        let security = try loopback ? nil : NetworkSecurity(token: token, certificate: certificate, key: key)

        let format = AudioFormat.standard
        let sink = try makeSink(format: format)
        // Two seconds of the output for the pages that listen; the engine drops a block that does not fit.
        let stream = SampleRing(capacity: 2 * format.sampleRate * format.channels)
        let sound = try self.sound.settings(sourceNames: corpus.sources.map(\.name)) { warning in
            FileHandle.standardError.write(Data("scenophone: \(warning)\n".utf8))
        }
        let parameters = LiveParameters(sound: sound, idleTimeout: idle.timeout)
        let recorder = try record.map {
            try SessionRecorder(
                directory: URL(fileURLWithPath: $0), sampleRate: format.sampleRate, channels: format.channels,
                videoSide: corpus.model.inputSize)
        }
        let options = LiveOptions(taps: [stream] + (recorder.map { [$0.ring] } ?? []))
        let engine = try LiveEngine(
            corpus: corpus, modelDirectory: model.directory, sink: sink, parameters: parameters,
            options: options)
        if !engine.audioResidency.isLocked {
            FileHandle.standardError.write(Data("warning: \(engine.audioResidency)\n".utf8))
        }
        recorder?.attach(engine)
        // "Sounds like ▸ source" stores the camera frame, then swaps in an engine on the new corpus.
        let modelDirectory = model.directory
        let teaching = LiveEngineScene.Teaching(
            teacher: CameraFrameTeacher(corpus: corpus.url, modelDirectory: modelDirectory),
            makeEngine: { corpus, parameters in
                let engine = try LiveEngine(
                    corpus: corpus, modelDirectory: modelDirectory, sink: sink, parameters: parameters,
                    options: options)
                recorder?.attach(engine)
                return engine
            })
        let scene = LiveEngineScene(engine: engine, teaching: teaching, recorder: recorder)

        var hubConfiguration = LiveHubConfiguration()
        hubConfiguration.serverOutput = audio.rawValue
        hubConfiguration.audioChannels = format.channels
        hubConfiguration.sampleRate = format.sampleRate
        var logger = Logger(label: "scenophone.web")
        logger.logLevel = .warning
        let hub = LiveHub(
            engine: scene, configuration: hubConfiguration, audioRing: stream,
            logger: logger)
        let configuration = WebUIConfiguration(
            host: host, port: port, token: security?.token, tls: security?.identity)
        let announcement = ServeAnnouncement(
            corpus: corpus, sink: sink, host: host, security: security, json: json)
        let app = try buildApplication(configuration, hub: hub, logger: logger) { port in
            announcement.print(port: port)
        }

        try engine.start()
        try recorder?.start()
        let oscSession = try await osc.start { scene.engine }
        defer {
            try? scene.engine.stop()
            do {
                if let session = try recorder?.stop(), !json { Swift.print("Recorded \(session.path)") }
                try recorder?.close()
            } catch {
                FileHandle.standardError.write(
                    Data("error: the recording could not be completed: \(error)\n".utf8))
            }
        }
        try await app.runService()
        await oscSession?.stop()
        let underruns = sink.statistics.underruns
        if !json {
            Swift.print("Stopped. \(underruns) underrun\(underruns == 1 ? "" : "s") on \(sink.name).")
        }
    }

    /// The sink `--audio` asks for; a missing sound card suggests `--audio browser`.
    private func makeSink(format: AudioFormat) throws -> any AudioSink {
        switch audio {
        case .browser:
            return try PacedNullSink(format: format)
        case .device:
            do {
                return try ALSASink(device: device, format: format)
            } catch {
                guard error.isMissingDevice else { throw error }
                throw AdvisedError(
                    error, advice: "or let only the browsers play the sound ('--audio browser')")
            }
        }
    }
}
