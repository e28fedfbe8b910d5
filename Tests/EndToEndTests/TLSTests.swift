import Foundation
import Testing

/// `run` over TLS to nginx with a certificate from a CA the test made (as a corporate
/// network or a TLS-inspecting proxy would have), in front of the simulator.
/// Without nginx the suite is skipped, saying so, except under CI=true, where NginxProcess
/// fails each test (NeededTool).
@Suite(
    .enabled(
        if: NeededTool.nginx.isInstalled || NeededTool.isCI,
        "nginx is not installed (make test installs Debian's nginx-light)"))
struct TLSTests {
    let simulator: SimulatorProcess
    let certificates: TestCertificates
    let nginx: NginxProcess
    let tool: Tool

    init() throws {
        simulator = try SimulatorProcess(["--token", "secret"])
        certificates = try TestCertificates()
        nginx = try NginxProcess(certificates: certificates, upstream: simulator.baseURL)
        tool = try Tool()
        try tool.write("people.csv", sendosoCSV(12))
    }

    func run(_ baseURL: String, _ extra: [String] = [], environment: [String: String] = [:])
        throws -> ToolResult
    {
        try tool.run(
            [
                "run", "people.csv", "--target", "sendoso", "--base-url", baseURL, "--progress",
                "none", "--report", "report.csv", "--rate", "0", "--concurrency", "4",
            ] + extra,
            environment: ["BATCH_INVITE_TOKEN": "secret"].merging(environment) { $1 })
    }

    @Test func anUntrustedCertificateStopsAtTheFirstRequestNamingIt() throws {
        let result = try run("https://127.0.0.1:\(nginx.port)")
        #expect(result.status == 2)
        #expect(
            result.stderr.contains(
                "stopped at the first request: TLS certificate not trusted (SSL certificate problem: "
                    + "unable to get local issuer certificate); nothing was sent; if the API (or a "
                    + "TLS-inspecting proxy) uses a private certificate authority, pass its "
                    + "certificate with --cacert FILE (PEM)"))
        #expect(
            result.stderr.contains(
                "the server's certificate: subject CN = api.batch-invite.test, issued by CN = batch-invite test CA"
            ))
        #expect(try nginx.requests().isEmpty)
        simulator.stop()
        #expect(try simulator.logEntries().isEmpty)
        #expect(try reportRows(tool).allSatisfy { $0["status"] == "not_sent" })
    }

    @Test func withCacertEveryRowIsInvitedOnceOverHTTP2() throws {
        let result = try run("https://127.0.0.1:\(nginx.port)", ["--cacert", certificates.caPath])
        #expect(result.status == 0)
        #expect(try nginx.requests() == Array(repeating: "HTTP/2.0 201 /api/v3/users", count: 12))
        simulator.stop()
        let keys = try simulator.logEntries().compactMap { $0["key"] as? String }
        #expect(keys.count == 12 && Set(keys).count == 12)
    }

    @Test func cacertOnlyTrustsThatFileAlone() throws {
        let other = try TestCertificates(caName: "another CA")
        let wrong = try run(
            "https://127.0.0.1:\(nginx.port)", ["--cacert", other.caPath, "--cacert-only"])
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("TLS certificate not trusted"))
        try FileManager.default.removeItem(atPath: tool.path("report.csv.journal"))
        let right = try run(
            "https://127.0.0.1:\(nginx.port)", ["--cacert", certificates.caPath, "--cacert-only"])
        #expect(right.status == 0)
    }

    @Test func aFileWithoutCertificatesIsRefusedBeforeAnythingIsSent() throws {
        let file = try tool.write("not-a-ca.pem", "hello\n")
        let result = try run("https://127.0.0.1:\(nginx.port)", ["--cacert", file])
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "batch-invite run: --cacert \(file): no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)\n"
        )
        #expect(try nginx.requests().isEmpty)
    }

    @Test func aProxyFromHTTPSProxyCarriesTheTunnel() throws {
        let proxy = try ServerProcess(script: "connect_proxy.py", ["LOG"])
        let host = "api.batch-invite.test:\(nginx.port)"
        let result = try run(
            "https://\(host)", ["--cacert", certificates.caPath],
            environment: ["HTTPS_PROXY": proxy.url, "NO_PROXY": "example.com"])
        #expect(result.status == 0)
        #expect(result.stderr.contains("through the proxy \(proxy.url) (from HTTPS_PROXY)"))
        #expect(try proxy.received().first == host)
        #expect(try nginx.requests().count == 12)
    }
}
