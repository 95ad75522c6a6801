import AudioOutput
import Engine
import Foundation
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import ServiceLifecycle
import Synchronization

/// The meeting point of every page: one camera, any number of viewers, one engine.
///
/// It takes camera frames from whichever client holds the camera, fans the engine's state out to all
/// pages at a steady rate (encoded once, shared by all), streams audio to pages that listen, and
/// watches for clients that stopped reading. It runs as a service beside the HTTP server.
public final class LiveHub: Service, Sendable {
    let engine: any SceneEngine
    let configuration: LiveHubConfiguration
    let audioRing: SampleRing?
    let logger: Logger

    private let registry = Mutex(Registry())

    private struct Registry {
        var clients: [Int: ClientConnection] = [:]
        var nextID = 1
        var cameraID: Int?
        var lastFrameAt: Int64 = 0
        var preview: ByteBuffer?
        var previewFresh = false
        /// The last camera frame, for "sounds like ▸ source"; whether a teach request is running.
        var lastFrame: CameraFrameMessage?
        var teaching = false
        var framesReceived = 0
        var rejected: [String: Int] = [:]
        /// The sound last sent to the pages; a change made elsewhere (OSC) is sent with the next state.
        var announcedSound: SoundSettings?
    }

    /// Creates the hub.
    ///
    /// - Parameters:
    ///   - engine: turns frames into sound and describes what it does.
    ///   - configuration: rates and limits.
    ///   - audioRing: a copy of the rendered audio (interleaved, `configuration.audioChannels` wide), for
    ///     pages that listen; nil when audio is not streamed.
    ///   - logger: where connections and rejections are logged.
    public init(
        engine: any SceneEngine, configuration: LiveHubConfiguration = .init(), audioRing: SampleRing? = nil,
        logger: Logger = Logger(label: "scenophone.web")
    ) {
        self.engine = engine
        self.configuration = configuration
        self.audioRing = audioRing
        self.logger = logger
    }

    /// Connected clients, for tests and the status line.
    public var clientCount: Int { registry.withLock { $0.clients.count } }

    /// Camera frames accepted since the start.
    public var framesReceived: Int { registry.withLock { $0.framesReceived } }

    /// Rejections since the start, by `ProtocolViolation.code` (plus `stalled`).
    public var rejections: [String: Int] { registry.withLock { $0.rejected } }

    // MARK: Service

    /// Runs the state ticker, the audio stream and the stall watchdog until shutdown.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask {
                await self.tick(every: 1 / self.configuration.stateRate) { self.broadcastState() }
            }
            group.addTask {
                await self.tick(every: 1 / self.configuration.previewRate) { self.broadcastPreview() }
            }
            group.addTask { await self.tick(every: 0.25) { self.closeStalledClients() } }
            if let ring = audioRing {
                group.addTask { await self.streamAudio(from: ring) }
            }
        }
    }

    /// Calls `body` at a fixed period until the task is cancelled or the service shuts down.
    private func tick(every seconds: Double, _ body: @escaping @Sendable () -> Void) async {
        let period = Duration.nanoseconds(Int64(seconds * 1e9))
        await cancelWhenGracefulShutdown {
            var deadline = ContinuousClock.now
            while !Task.isCancelled {
                body()
                deadline += period
                if deadline < .now { deadline = .now }
                try? await Task.sleep(until: deadline)
            }
        }
    }

    private func greetedClients() -> [ClientConnection] {
        registry.withLock { Array($0.clients.values) }.filter(\.isGreeted)
    }

    /// Sends the state to every page: encoded once per set of pinned sources (once in all, when
    /// no page pins any), and shared by the pages that pinned the same.
    private func broadcastState() {
        announceSoundIfChanged()
        let clients = greetedClients()
        let pins = clients.map(\.pinned)
        var state = engine.snapshot(including: Set(pins.joined()))
        let now = MonotonicClock.now()
        state.cameraActive = registry.withLock { $0.cameraID != nil && now - $0.lastFrameAt < 1_000_000_000 }
        state.recording = engine.recording
        guard !clients.isEmpty else { return }
        let audience = ServerMessage.Audience(
            viewers: clients.count, listeners: clients.filter(\.isListening).count)
        var messages: [[Int]: ByteBuffer] = [:]
        for (client, pinned) in zip(clients, pins) {
            let message =
                messages[pinned]
                ?? ServerMessage.state(state.viewed(pinning: pinned), audience: audience).encoded()
            messages[pinned] = message
            client.offerState(message)
        }
    }

    /// Sends the sound to every page if it changed since it was last sent (by a page, OSC or a preset).
    private func announceSoundIfChanged() {
        let sound = engine.parameters
        let changed = registry.withLock { registry -> Bool in
            defer { registry.announcedSound = sound }
            return registry.announcedSound != nil && registry.announcedSound != sound
        }
        guard changed else { return }
        let message = ServerMessage.parameters(sound).encoded()
        for client in greetedClients() { client.sendControl(message) }
    }

    /// Sends the sound now in force to every page at once.
    private func announceSound(_ sound: SoundSettings) {
        registry.withLock { $0.announcedSound = sound }
        let message = ServerMessage.parameters(sound).encoded()
        for client in greetedClients() { client.sendControl(message) }
    }

    private func broadcastPreview() {
        let (preview, cameraID) = registry.withLock { registry -> (ByteBuffer?, Int?) in
            defer { registry.previewFresh = false }
            return (registry.previewFresh ? registry.preview : nil, registry.cameraID)
        }
        guard let preview else { return }
        for client in greetedClients() where client.id != cameraID { client.offerPreview(preview) }
    }

    private func closeStalledClients() {
        let now = MonotonicClock.now()
        let limit =
            Int64(configuration.stallTimeout.components.seconds) * 1_000_000_000
            + configuration.stallTimeout.components.attoseconds / 1_000_000_000
        let clients = registry.withLock { Array($0.clients.values) }
        for client in clients {
            if let stalled = client.stalledNanoseconds(now: now), stalled > limit {
                logger.warning(
                    "closing client \(client.id): it stopped reading (a write waited \(stalled / 1_000_000) ms)"
                )
                registry.withLock { $0.rejected["stalled", default: 0] += 1 }
                client.channel.close(promise: nil)
            }
        }
    }

    /// Drains the ring in 20 ms chunks, converts them to 16-bit PCM, and offers them to listeners.
    private func streamAudio(from ring: SampleRing) async {
        let channels = configuration.audioChannels
        let samples = configuration.audioChunkFrames * channels
        await cancelWhenGracefulShutdown {
            let scratch = UnsafeMutableBufferPointer<Float>.allocate(capacity: samples)
            defer { scratch.deallocate() }
            var sequence: UInt32 = 0
            while !Task.isCancelled {
                while ring.available >= samples {
                    _ = ring.read(into: scratch)
                    let listeners = self.greetedClients().filter(\.isListening)
                    guard !listeners.isEmpty else { continue }
                    let message = AudioChunkMessage.encode(
                        sequence: sequence, sampleRate: self.configuration.sampleRate, channels: channels,
                        samples: UnsafeBufferPointer(scratch))
                    sequence &+= 1
                    for client in listeners { client.offerAudio(message) }
                }
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
    }

    // MARK: One client

    /// Serves one WebSocket connection until it closes.
    ///
    /// - Parameters:
    ///   - inbound: the client's messages.
    ///   - outbound: the writer to the client.
    ///   - channel: the underlying socket, to close outright if the client stops reading.
    /// - Throws: what the WebSocket layer threw (a message too large, a protocol error), so that it
    ///   closes the connection with the matching code.
    func serve(
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, channel: any Channel
    ) async throws {
        let client = registry.withLock { registry -> ClientConnection in
            let client = ClientConnection(id: registry.nextID, channel: channel)
            registry.nextID += 1
            registry.clients[client.id] = client
            return client
        }
        logger.info("client \(client.id) connected")
        let failure = await withDiscardingTaskGroup { group -> (any Error)? in
            group.addTask { await client.runSender(outbound) }
            let ending = await receive(from: inbound, for: client)
            var violation: ProtocolViolation?
            if case .violation(let found) = ending { violation = found }
            if let violation {
                logger.warning("client \(client.id): \(violation.code): \(violation)")
                registry.withLock { $0.rejected[violation.code, default: 0] += 1 }
                client.sendControl(
                    ServerMessage.error(code: violation.code, message: violation.description).encoded())
            }
            await client.finish(flushingFor: .seconds(1))
            if let violation {
                let code: WebSocketErrorCode =
                    if case .flood = violation { .policyViolation } else { .dataInconsistentWithMessage }
                try? await outbound.close(code, reason: violation.code)
            }
            if case .failed(let error) = ending { return error }
            return nil
        }
        let wasCamera = registry.withLock { registry -> Bool in
            registry.clients[client.id] = nil
            guard registry.cameraID == client.id else { return false }
            registry.cameraID = nil
            return true
        }
        logger.info("client \(client.id) left\(wasCamera ? " (it was the camera)" : "")")
        if let failure { throw failure }
    }

    /// How a client's stream of messages ended.
    private enum Ending {
        /// The client closed the connection.
        case left
        /// It broke the protocol; the server closes with an error.
        case violation(ProtocolViolation)
        /// The WebSocket layer failed (too large, bad framing, reset).
        case failed(any Error)
    }

    /// Reads messages until the client leaves, breaks the protocol, or the connection fails.
    private func receive(from inbound: WebSocketInboundStream, for client: ClientConnection) async -> Ending {
        var limiter = FrameRateLimiter(
            rate: configuration.maximumFrameRate, burst: configuration.maximumFrameRate)
        var toldNotCamera = false
        do {
            for try await message in inbound.messages(maxSize: WebUILimits.maximumMessageSize) {
                switch message {
                case .text(let text):
                    let parsed = try ClientMessage.parse(text)
                    try handle(parsed, from: client)
                    toldNotCamera = false
                case .binary(let buffer):
                    // The whole message is in: this is the frame's arrival, for the latency figures.
                    let now = MonotonicClock.now()
                    guard limiter.admit(at: now) else {
                        throw ProtocolViolation.flood(
                            "more than \(Int(configuration.maximumFrameRate)) camera frames per second")
                    }
                    let frame = try CameraFrameMessage(parsing: buffer, side: engine.inputSide)
                    guard client.isGreeted, isCamera(client) else {
                        if !toldNotCamera {
                            let violation = ProtocolViolation.notTheCamera
                            client.sendControl(
                                ServerMessage.error(code: violation.code, message: violation.description)
                                    .encoded())
                            toldNotCamera = true
                        }
                        continue
                    }
                    engine.submit(frame, arrival: now)
                    var preview = buffer
                    preview.setBytes(CameraFrameMessage.previewMagic, at: preview.readerIndex)
                    registry.withLock {
                        $0.lastFrameAt = now
                        $0.preview = preview
                        $0.previewFresh = true
                        $0.lastFrame = frame
                        $0.framesReceived += 1
                    }
                }
            }
        } catch let violation as ProtocolViolation {
            return .violation(violation)
        } catch {
            return .failed(error)
        }
        return .left
    }

    private func isCamera(_ client: ClientConnection) -> Bool {
        registry.withLock { $0.cameraID == client.id }
    }

    private func handle(_ message: ClientMessage, from client: ClientConnection) throws(ProtocolViolation) {
        switch message {
        case .hello(let role, let listen):
            guard !client.isGreeted else { throw .malformed("\"hello\" was sent twice") }
            if role == .camera { takeCamera(client, announce: false) }
            client.greet(listening: listen, welcome: ServerMessage.welcome(welcome(for: client)).encoded())
            return
        default:
            guard client.isGreeted else { throw .malformed("the first message must be \"hello\"") }
        }
        switch message {
        case .hello:
            break
        case .role(.camera):
            takeCamera(client)
        case .role(.viewer):
            registry.withLock { if $0.cameraID == client.id { $0.cameraID = nil } }
            client.setRole(.viewer)
            client.sendControl(ServerMessage.role(.viewer).encoded())
        case .listen(let on):
            client.setListening(on)
        case .record(let on):
            // Not a protocol violation: the page may offer the button before it knows.
            guard engine.recording != nil else {
                let message = "this server does not record sessions (start it with --record DIR)"
                client.sendControl(ServerMessage.error(code: "recording", message: message).encoded())
                return
            }
            engine.setRecording(on)
        case .parameters(let change):
            // The page offers only what the model allows: a refused change comes from a broken client.
            do {
                announceSound(try engine.apply(change))
            } catch {
                throw .malformed(error.description)
            }
        case .preset(let request):
            handlePreset(request, from: client)
        case .pin(let sources):
            let sourceCount = engine.overview.sources.count
            if let missing = sources.first(where: { $0 >= sourceCount }) {
                throw .malformed("\"pin\": there is no source \(missing); the corpus has \(sourceCount)")
            }
            client.setPinned(sources)
        case .teach(let source):
            let sourceCount = engine.overview.sources.count
            guard source < sourceCount else {
                throw .malformed("\"teach\": there is no source \(source); the corpus has \(sourceCount)")
            }
            teach(source: source, for: client)
        }
    }

    /// Stores the last camera frame as an example of `source` on a thread of its own (embedding and
    /// flushing take a while), one request at a time; tells every page when it worked, the asker
    /// when it did not.
    private func teach(source: Int, for client: ClientConnection) {
        enum Claim {
            case frame(CameraFrameMessage)
            case failure(String)
        }
        let claim = registry.withLock { registry -> Claim in
            if registry.teaching { return .failure("an example is being stored; try again in a moment") }
            guard let frame = registry.lastFrame else { return .failure("there is no camera frame yet") }
            registry.teaching = true
            return .frame(frame)
        }
        guard case .frame(let frame) = claim else {
            if case .failure(let reason) = claim {
                client.sendControl(
                    ServerMessage.taught(TeachReport(source: source, failure: reason)).encoded())
            }
            return
        }
        let engine = self.engine
        let logger = self.logger
        let thread = Thread { [self] in
            defer { registry.withLock { $0.teaching = false } }
            do {
                let report = try engine.teach(frame, source: source)
                logger.info("taught a camera frame to source \(source): example \(report.example ?? "?")")
                let message = ServerMessage.taught(report).encoded()
                for other in greetedClients() { other.sendControl(message) }
            } catch {
                logger.warning("teaching source \(source) failed: \(error)")
                client.sendControl(
                    ServerMessage.taught(TeachReport(source: source, failure: "\(error)")).encoded())
            }
        }
        thread.name = "sceno-teach"
        thread.start()
    }

    /// Loads, saves or resets the sound for a page. A preset the user picked may be wrong without
    /// the page being broken: the page is told why, and the connection stays.
    private func handlePreset(_ request: ClientMessage.PresetRequest, from client: ClientConnection) {
        let names = engine.overview.sources.map(\.name)
        do throws(SoundModelError) {
            switch request {
            case .save(let name):
                let preset = SoundPreset(
                    settings: engine.parameters, sourceNames: names, name: String(name.prefix(200)))
                client.sendControl(ServerMessage.preset(preset).encoded())
            case .reset:
                announceSound(engine.replaceSound(with: SoundSettings(sourceCount: names.count)))
            case .loadBuiltIn(let name):
                guard let preset = SoundPreset.builtIn.first(where: { $0.name == name }) else {
                    throw .invalidPreset("there is no built-in preset \"\(name.prefix(60))\"")
                }
                try load(preset, names: names)
            case .load(let json):
                try load(try SoundPreset.decode(json), names: names)
            }
        } catch {
            logger.info("client \(client.id): preset refused: \(error)")
            client.sendControl(ServerMessage.error(code: "preset", message: error.description).encoded())
        }
    }

    private func load(_ preset: SoundPreset, names: [String]) throws(SoundModelError) {
        announceSound(engine.replaceSound(with: try preset.settings(sourceNames: names).settings))
    }

    /// Makes `client` the camera; the previous camera, if any, becomes a viewer and is told so.
    private func takeCamera(_ client: ClientConnection, announce: Bool = true) {
        let previous = registry.withLock { registry -> ClientConnection? in
            let previous = registry.cameraID.flatMap { registry.clients[$0] }
            registry.cameraID = client.id
            return previous?.id == client.id ? nil : previous
        }
        client.setRole(.camera)
        if announce { client.sendControl(ServerMessage.role(.camera).encoded()) }
        if let previous {
            previous.setRole(.viewer)
            previous.sendControl(ServerMessage.role(.viewer).encoded())
        }
    }

    private func welcome(for client: ClientConnection) -> ServerMessage.Welcome {
        ServerMessage.Welcome(
            inputSide: engine.inputSide, frameRate: configuration.frameRate,
            maximumFrameRate: configuration.maximumFrameRate, overview: engine.overview,
            model: SoundModel.parameters,
            sourceVolume: .init(
                minimum: SoundModel.sourceVolumeRange.lowerBound,
                maximum: SoundModel.sourceVolumeRange.upperBound),
            parameters: engine.parameters,
            presets: SoundPreset.builtIn.map { .init(name: $0.name, description: $0.description) },
            audio: .init(
                sampleRate: configuration.sampleRate,
                channels: audioRing == nil ? 0 : configuration.audioChannels),
            serverOutput: configuration.serverOutput, role: client.role)
    }
}
