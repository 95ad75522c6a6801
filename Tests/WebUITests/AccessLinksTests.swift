import Testing
import WebUI

@Suite struct AccessLinksTests {
    @Test func loopbackIsPlainHTTPWithoutAToken() {
        #expect(
            AccessLinks.urls(
                host: "127.0.0.1", port: 8080, token: nil, secure: false, addresses: ["10.0.0.2"])
                == ["http://127.0.0.1:8080/"])
    }

    @Test func aWildcardBindListsEveryAddressWithTheToken() throws {
        let token = try AccessToken("abcdefghijklmnopqrstuv")
        #expect(
            AccessLinks.urls(
                host: "0.0.0.0", port: 8443, token: token, secure: true,
                addresses: ["192.168.1.5", "10.0.0.2"])
                == [
                    "https://192.168.1.5:8443/?token=abcdefghijklmnopqrstuv",
                    "https://10.0.0.2:8443/?token=abcdefghijklmnopqrstuv",
                ])
        #expect(
            AccessLinks.urls(host: "::", port: 1, token: nil, secure: true, addresses: []) == [
                "https://127.0.0.1:1/"
            ])
        #expect(
            AccessLinks.urls(host: "fe80::1", port: 2, token: nil, secure: true, addresses: []) == [
                "https://[fe80::1]:2/"
            ])
    }

    @Test func interfacesExcludeLoopback() {
        let addresses = NetworkInterfaces.ipv4Addresses()
        #expect(!addresses.contains("127.0.0.1"))
        #expect(addresses.allSatisfy { $0.split(separator: ".").count == 4 })
    }
}
