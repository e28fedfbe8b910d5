import BatchInvite
import Foundation
import Testing

@Suite struct HTMLReportTests {
    @Test func sha256MatchesTheStandardsVectors() {
        func hex(_ text: String) -> String {
            SHA256.digest(Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
        }
        #expect(hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(
            hex(String(repeating: "a", count: 1000))
                == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    /// An overview of report lines given as (status, message) pairs, rows numbered from 1.
    func overview(_ lines: [(RowStatus, String)]) -> ReportOverview {
        var overview = ReportOverview()
        for (index, (status, message)) in lines.enumerated() {
            var (key, text) = ("p\(index + 1)@example.com", message)
            key.withUTF8 { key in
                text.withUTF8 { text in
                    overview.add(
                        row: index + 1, line: index + 2, key: UnsafeRawBufferPointer(key),
                        status: status, httpStatus: status == .failed ? 400 : nil,
                        message: UnsafeRawBufferPointer(text))
                }
            }
        }
        return overview
    }

    @Test func problemsAreGroupedByFieldAndKindLargestFirst() {
        let overview = overview([
            (.valid, ""),
            (
                .invalid,
                #"email: "x" is not an email address; role: "admin" must be regular or manager"#
            ),
            (.invalid, #"email: "a \"quoted\"; value" is not an email address"#),
            (.invalid, "first_name: is empty"),
            (.duplicate, "same email as row 2"),
            (.failed, "Team group not found"),
            (.failed, "Team group not found"),
            (.failed, "Team group not found"),
            (.invited, ""),
        ])
        let groups = overview.groups.map { "\($0.status?.rawValue ?? "-") \($0.label) \($0.count)" }
        #expect(
            groups == [
                "failed Team group not found 3",
                #"invalid email: "…" is not an email address 2"#,
                #"invalid role: "…" must be regular or manager 1"#,
                "invalid first_name: is empty 1",
                "duplicate same email as an earlier row 1",
            ])
        #expect(overview.groups[0].first.map { "\($0.row):\($0.line)" } == ["6:7", "7:8", "8:9"])
        #expect(
            overview.counts == [.valid: 1, .invalid: 3, .duplicate: 1, .failed: 3, .invited: 1])
        // Duplicates are grouped, not listed: only the first is sent, nothing to fix.
        #expect(overview.attentionCount == 6)
        #expect(overview.attention.map(\.place.row) == [2, 3, 4, 6, 7, 8])
    }

    @Test func rowsThatMayHaveBeenInvitedTwiceAreOneGroupWhateverTheirStatus() {
        let lost =
            " (note: attempt 1 timed out; the API may have acted on it, so this person may have "
            + "been invited more than once)"
        let overview = overview([
            (.invited, "Invitation sent successfully"),
            (.invited, "Invitation sent successfully" + lost),
            (.alreadyInvited, "Email has already been invited" + lost),
            (.failed, "Please enter a valid team group" + lost),
            // Sent again on purpose: not a row that may have been invited by mistake.
            (
                .invited,
                "Invitation sent successfully (note: invited on 2026-11-30 by an earlier run; "
                    + "sent again after --reinvite-after 30 days)"
            ),
        ])
        #expect(
            overview.groups.map { "\($0.status?.rawValue ?? "-") \($0.label) \($0.count)" } == [
                "- \(ReportOverview.invitedTwiceLabel) 3",
                "failed Please enter a valid team group\(lost) 1",
            ])
        #expect(overview.groups[0].first.map(\.row) == [2, 3, 4])
        #expect(overview.invitedTwiceCount == 3)
        #expect(overview.attention.map(\.place.row) == [2, 3, 4])
        #expect(overview.counts == [.invited: 3, .alreadyInvited: 1, .failed: 1])
    }

    @Test func theListAndTheGroupsStopGrowingWhereTheyShould() {
        var lines: [(RowStatus, String)] = []
        for index in 0..<(ReportOverview.attentionLimit + 5) {
            let unique = index >= 5 && index < 1_205
            lines.append((.failed, unique ? "message \(index)" : "the same"))
        }
        let overview = overview(lines)
        #expect(overview.attention.count == ReportOverview.attentionLimit)
        #expect(overview.attentionCount == ReportOverview.attentionLimit + 5)
        let groups = overview.groups
        #expect(groups.count == ReportOverview.groupLimit + 1)
        #expect(groups[0].label == "the same" && groups[0].count == lines.count - 1_200)
        #expect(groups[1].label == "(other messages)" && groups[1].count == 201)
        #expect(groups.allSatisfy { $0.first.count <= ReportOverview.rowsPerGroup })
    }

    @Test func everythingFromTheFileIsEscaped() {
        let evil = #"<img src=x onerror=alert(1)>"#
        var summary = JobSummary(command: "validate", started: 1_764_532_800_000)
        summary.finished = 1_764_532_801_000
        summary.input = "/tmp/\(evil).csv"
        summary.target = "sendoso"
        summary.exitCode = .rowsNotDone
        let page = HTMLReport(
            summary: summary,
            overview: overview([(.invalid, "email: \"\(evil)\" is not an email address")]),
            reportPath: "r.csv"
        ).page
        #expect(!page.contains("<img"))
        #expect(page.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(
            page.contains("<title>batch-invite validate: &lt;img src=x onerror=alert(1)&gt;.csv"))
        // Only the page's own style and script, by hash; nothing from anywhere.
        #expect(page.contains("content=\"default-src 'none'; style-src 'sha256-"))
        #expect(!page.contains("http://") && !page.contains("https://"))
    }
}
