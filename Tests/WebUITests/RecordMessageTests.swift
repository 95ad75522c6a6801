import Foundation
import Testing
import WebUI

/// The page's Record button speaks `{"type":"record","on":…}`; anything else is refused by name.
@Suite struct RecordMessageTests {
    @Test func recordMessagesParse() throws {
        #expect(try ClientMessage.parse(#"{"type":"record","on":true}"#) == .record(true))
        #expect(try ClientMessage.parse(#"{"type":"record","on":false}"#) == .record(false))
    }

    @Test func aRecordMessageWithoutOnIsRefusedByName() {
        #expect(throws: ProtocolViolation.malformed(#""record" message lacks "on""#)) {
            try ClientMessage.parse(#"{"type":"record"}"#)
        }
    }

    @Test func theStateCarriesRecordingOnlyWhenTheServerRecords() throws {
        var state = SceneState()
        let without = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        #expect(!without.contains("recording"))
        state.recording = RecordingStatus(active: true, session: "session-1")
        let with = String(decoding: try JSONEncoder().encode(state), as: UTF8.self)
        #expect(with.contains(#""recording":{"#) && with.contains(#""session":"session-1""#))
    }
}
