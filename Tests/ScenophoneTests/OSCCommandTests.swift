import Foundation
import TestSupport
import Testing

/// `live --osc-in --osc-out` driven from python-osc, an OSC implementation we did not write.
@Suite(.serialized) struct OSCCommandTests {
    let film = Paths.media.appendingPathComponent("video/tears_of_steel_battle.webm")

    /// The outside tool: listens for what live sends, counts grains per second at the default rate,
    /// sets the grain rate to 20, floods garbage, and reports what it saw as JSON.
    static let peer = """
        import json, os, random, socket, sys, threading, time
        from pythonosc.dispatcher import Dispatcher
        from pythonosc.osc_server import ThreadingOSCUDPServer
        from pythonosc.udp_client import SimpleUDPClient
        listen, send = int(sys.argv[1]), int(sys.argv[2])
        seen = {'grain': [], 'sources': [], 'nearest': [], 'level': [], 'labels': []}
        lock = threading.Lock()
        def record(address, *args):
            key = address.rsplit('/', 1)[-1]
            with lock:
                if key in seen: seen[key].append((time.monotonic(), args))
        dispatcher = Dispatcher(); dispatcher.set_default_handler(record)
        server = ThreadingOSCUDPServer(('127.0.0.1', listen), dispatcher)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        client = SimpleUDPClient('127.0.0.1', send)
        def rate(start, end):
            with lock: return sum(1 for t, _ in seen['grain'] if start <= t < end) / (end - start)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with lock: enough = len(seen['sources']) > 10 and len(seen['grain']) > 200
            if enough: break
            time.sleep(0.1)
        time.sleep(1)
        t = time.monotonic(); before = rate(t - 2, t)
        client.send_message('/scenophone/sound/grainRate', 20.0)
        time.sleep(2.5)
        t = time.monotonic(); after = rate(t - 2, t)
        noise = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        valid = b'/scenophone/sound/grainRate\\x00,f\\x00\\x00A\\xa0\\x00\\x00'
        for i in range(3000):
            kind = i % 4
            if kind == 0: packet = os.urandom(random.randint(1, 200))
            elif kind == 1: packet = valid[:random.randint(1, len(valid) - 1)]
            elif kind == 2: packet = b'/scenophone/sound/grainRate\\x00,q\\x00\\x00\\x00\\x00\\x00\\x00'
            else: packet = b'/' + os.urandom(30000)
            noise.sendto(packet, ('127.0.0.1', send))
        client.send_message('/scenophone/sound/nonsense', 1.0)
        time.sleep(2.5)
        t = time.monotonic(); flooded = rate(t - 2, t)
        with lock:
            print(json.dumps({'before': before, 'after': after, 'afterFlood': flooded,
                'sources': len(seen['sources']), 'lastSources': list(seen['sources'][-1][1]) if seen['sources'] else [],
                'nearest': len(seen['nearest']), 'levels': len(seen['level']), 'labels': len(seen['labels'])}))
        server.shutdown()
        """

    @Test func pythonOSCChangesTheGrainRateReadsPOfTAndSurvivesAFlood() async throws {
        let corpus = try SoundscapeCorpus.shared()
        let peerPort = try PythonOSC.freeUDPPort()
        let live = try BackgroundProcess(
            Paths.scenophoneExecutable,
            [
                "live", "--corpus", corpus.url.path, "--input", film.path, "--loop", "--sink", "null",
                "--keep-last-scene", "--osc-in", "0", "--osc-out", "127.0.0.1:\(peerPort)", "--osc-grains",
                "5000",
                "--json",
            ])
        // Its OSC port is on standard error once it listens.
        var livePort: Int?
        let deadline = Date().addingTimeInterval(600)
        while livePort == nil && Date() < deadline && live.isRunning {
            if let line = live.standardError.split(separator: "\n").first(where: {
                $0.hasPrefix("OSC in: udp ")
            }) {
                livePort = Int(line.split(separator: ":").last ?? "")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let port = try #require(livePort, "live did not listen: \(live.standardError)")

        let peer = try PythonOSC.run(Self.peer, ["\(peerPort)", "\(port)"])
        _ = await live.interrupt()
        try #require(peer.status == 0, "\(peer.standardError)")
        let seen = try #require(
            try JSONSerialization.jsonObject(with: Data(peer.standardOutput.utf8)) as? [String: Any])
        print("python-osc peer saw: \(peer.standardOutput)")
        let before = seen["before"] as? Double ?? 0
        let after = seen["after"] as? Double ?? 0
        let flooded = seen["afterFlood"] as? Double ?? 0
        // The grain log's density follows the rate set over OSC: about 100/s, then about 20/s, and
        // still about 20/s after thousands of garbage packets.
        #expect(before > 70 && before < 130, "grains/s before: \(before)")
        #expect(after > 12 && after < 28, "grains/s after /grainRate 20: \(after)")
        #expect(flooded > 12 && flooded < 28, "grains/s after the flood: \(flooded)")
        #expect((seen["sources"] as? Int ?? 0) > 10 && (seen["levels"] as? Int ?? 0) > 10)
        #expect((seen["nearest"] as? Int ?? 0) > 0 && (seen["labels"] as? Int ?? 0) > 0)
        let top = seen["lastSources"] as? [Any] ?? []
        #expect(top.count >= 2 && top[0] is String && (top[1] as? Double ?? 0) > 0, "\(top)")

        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(live.standardOutput.utf8)) as? [String: Any],
            "\(live.standardOutput)\n\(live.standardError)")
        #expect(report["underruns"] as? Int == 0)
        let counts = live.standardError.split(separator: "\n").last {
            $0.hasPrefix("OSC in: ") && $0.contains("packets")
        }
        print(counts ?? "no OSC counts")
        let numbers = (counts ?? "").split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        // packets, applied, refused, malformed, oversized (the kernel may drop some of a flood: at least
        // some of each kind must have arrived and been counted).
        try #require(numbers.count == 5, "\(live.standardError)")
        #expect(numbers[1] >= 1 && numbers[2] >= 1, "\(counts ?? "")")
        #expect(numbers[3] >= 100 && numbers[4] >= 1, "\(counts ?? "")")
    }
}
