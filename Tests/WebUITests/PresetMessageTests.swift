import Engine
import Foundation
import Testing
import WebUI

extension LiveServerTests {
    /// Presets from the page: the welcome lists the model and the built-in presets; loading,
    /// saving and resetting reach every page; a bad preset is answered with the key named and the
    /// connection stays.
    @Suite struct PresetMessageTests {
        @Test func theWelcomeCarriesTheModelAndThePresets() async throws {
            try await withLiveServer { port, _ in
                let client = TestWebSocket(port: port)
                client.send(json: ["type": "hello", "role": "viewer"])
                let welcome = try #require(await client.next(type: "welcome"))
                let model = try #require(welcome["model"] as? [[String: Any]])
                #expect(model.map { $0["name"] as? String } == SoundModel.parameters.map(\.name))
                let rate = try #require(model.first { $0["name"] as? String == "grainRate" })
                #expect(rate["minimum"] as? Double == 1 && rate["maximum"] as? Double == 1000)
                #expect(rate["scale"] as? String == "log" && rate["effect"] as? String == "grains")
                let presets = try #require(welcome["presets"] as? [[String: Any]])
                #expect(presets.map { $0["name"] as? String } == SoundPreset.builtIn.map(\.name))
                _ = await client.close()
            }
        }

        @Test func loadSaveAndResetReachEveryPage() async throws {
            let engine = ScriptedSceneEngine()
            try await withLiveServer(engine: engine) { port, _ in
                let a = try await connectedClient(port: port)
                let b = try await connectedClient(port: port)
                a.send(json: ["type": "preset", "action": "load", "name": "paper-figure"])
                let loaded = try #require(await b.next(type: "parameters"))
                #expect(loaded["grainRate"] as? Double == 10)

                let file: [String: Any] = [
                    "format": "scenophone-preset", "version": 1, "name": "mine",
                    "parameters": ["temperature": 2, "mapping": "softmax"],
                    "sources": ["café": ["muted": true]],
                ]
                a.send(json: ["type": "preset", "action": "load", "preset": file])
                let fromFile = try #require(await b.next(type: "parameters"))
                #expect(
                    fromFile["temperature"] as? Double == 2 && fromFile["mapping"] as? String == "softmax")
                #expect(fromFile["grainRate"] as? Double == 100, "a preset starts from the defaults")
                #expect(((fromFile["sources"] as? [[String: Any]])?[1]["muted"]) as? Bool == true)

                a.send(json: ["type": "preset", "action": "save", "name": "evening"])
                let saved = try #require(await a.next(type: "preset"))
                let preset = try #require(saved["preset"] as? [String: Any])
                #expect(
                    preset["format"] as? String == "scenophone-preset"
                        && preset["name"] as? String == "evening")
                #expect((preset["parameters"] as? [String: Any])?["mapping"] as? String == "softmax")
                #expect(
                    ((preset["sources"] as? [String: Any])?["café"] as? [String: Any])?["muted"] as? Bool
                        == true)

                a.send(json: ["type": "preset", "action": "reset"])
                let reset = try #require(await b.next(type: "parameters"))
                #expect(reset["temperature"] as? Double == 0.3 && reset["mapping"] as? String == "plateau")

                // A user's bad file: the key is named, and the page stays connected.
                a.send(json: [
                    "type": "preset", "action": "load",
                    "preset": ["format": "scenophone-preset", "version": 1, "parameters": ["grainRte": 5]],
                ])
                let error = try #require(await a.next(type: "error"))
                #expect(error["code"] as? String == "preset")
                #expect((error["message"] as? String ?? "").contains("parameters.grainRte"))
                a.send(json: ["type": "parameters", "grainRate": 42])
                #expect(await b.next(type: "parameters")?["grainRate"] as? Double == 42)
                _ = await a.close()
                _ = await b.close()
            }
        }
    }
}
