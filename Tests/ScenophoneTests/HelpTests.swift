import TestSupport
import Testing

@Suite struct HelpTests {
    @Test func helpDescribesTheProgram() throws {
        let result = try runScenophone(["--help"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("soundscape"))
    }

    @Test func unknownSubcommandFails() throws {
        let result = try runScenophone(["no-such-command"])
        #expect(result.status != 0)
        #expect(result.standardError.contains("no-such-command"))
    }
}
