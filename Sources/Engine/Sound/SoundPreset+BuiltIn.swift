import Foundation

/// The presets that ship with the program, compiled in so that nothing is read at run time.
/// They are written as preset JSON and read by the same code as a user's file (a test reads each).
extension SoundPreset {
    /// The built-in presets, by name: the paper's settings first.
    public static let builtIn: [SoundPreset] = builtInJSON.map { json in
        do {
            return try decode(JSONValue(parsingBuiltIn: json))
        } catch {
            preconditionFailure("built-in preset is invalid: \(error)")
        }
    }

    private static let builtInJSON = [
        #"""
        {"format": "scenophone-preset", "version": 1, "name": "paper",
         "description": "The paper's settings: about 100 grains a second of 50–100 ms, the plateau mapping.",
         "parameters": {}}
        """#,
        #"""
        {"format": "scenophone-preset", "version": 1, "name": "paper-figure",
         "description": "The rate in the paper's figure: 10 grains a second, each one audible.",
         "parameters": {"grainRate": 10}}
        """#,
        #"""
        {"format": "scenophone-preset", "version": 1, "name": "drone",
         "description": "Long, slow, overlapping grains and a slow p(t): a calm bed for an installation.",
         "parameters": {"grainRate": 30, "grainMinMs": 250, "grainMaxMs": 700, "onsetJitter": 1,
                        "smoothing": 1.5, "temperature": 0.5}}
        """#,
        #"""
        {"format": "scenophone-preset", "version": 1, "name": "texture",
         "description": "Dense, short, irregular grains: a fine-grained texture that follows the camera quickly.",
         "parameters": {"grainRate": 400, "grainMinMs": 15, "grainMaxMs": 40, "onsetJitter": 1,
                        "smoothing": 0.05}}
        """#,
        #"""
        {"format": "scenophone-preset", "version": 1, "name": "shimmer",
         "description": "Grains detuned by up to three semitones, spread wide: a shimmering, less literal sound.",
         "parameters": {"rateJitter": 3, "spread": 1, "grainMinMs": 80, "grainMaxMs": 200, "grainRate": 80}}
        """#,
        #"""
        {"format": "scenophone-preset", "version": 1, "name": "focused",
         "description": "Only the few nearest moments, no floor: the sound sticks closely to what is seen.",
         "parameters": {"topK": 8, "floor": 0, "plateau": 0.05, "temperature": 0.15}}
        """#,
    ]
}

extension JSONValue {
    /// Parses compiled-in JSON (a programming error if it does not parse).
    fileprivate init(parsingBuiltIn text: String) {
        do {
            self = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        } catch {
            preconditionFailure("built-in JSON does not parse: \(error)")
        }
    }
}
