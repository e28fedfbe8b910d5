import Foundation
import Testing

/// The bidirectional controls that reorder the text after them (U+202A-U+202E, U+2066-
/// U+2069): refused in names, shown escaped wherever the tool shows text, and kept as
/// they are only where the data is kept (the report's cells other than its message).
@Suite struct BidiControlTests {
    static let controls: [(scalar: UInt32, name: String)] = [
        (0x202A, "left-to-right embedding"), (0x202B, "right-to-left embedding"),
        (0x202C, "pop directional formatting"), (0x202D, "left-to-right override"),
        (0x202E, "right-to-left override"), (0x2066, "left-to-right isolate"),
        (0x2067, "right-to-left isolate"), (0x2068, "first strong isolate"),
        (0x2069, "pop directional isolate"),
    ]

    static func character(_ scalar: UInt32) -> String {
        String(Character(Unicode.Scalar(scalar)!))
    }

    static func escaped(_ scalar: UInt32) -> String {
        "\\u" + String(scalar, radix: 16, uppercase: true)
    }

    /// Whether `text` holds any of the controls as they are.
    static func holdsAControl(_ text: String) -> Bool {
        text.unicodeScalars.contains { scalar in controls.contains { $0.scalar == scalar.value } }
    }

    static func message(_ field: String, _ value: String, _ control: (UInt32, String)) -> String {
        "\(field): \"\(value)\" contains \(escaped(control.0)) (\(control.1)), a bidirectional "
            + "control that can show the text in another order (the marks U+200E, U+200F and "
            + "U+061C are accepted)"
    }

    @Test func bidirectionalControlsAreRefusedInNamesAndShownEscapedEverywhere() throws {
        let rlo = Self.character(0x202E)
        var csv = "First Name,Last Name,Email,Role,Team ID,Note\(rlo)s\n"
        var expected: [String: (status: String, message: String)] = [:]
        // The issue's example: a name that displays reversed.
        csv += "Ada\(rlo)ecalevol,Lovelace,ada@example.com,regular,1234,x\n"
        expected["ada@example.com"] = (
            "invalid",
            Self.message("first_name", "Ada\\u202Eecalevol", (0x202E, "right-to-left override"))
        )
        for (index, control) in Self.controls.enumerated() {
            let email = "control\(index)@example.com"
            let value = "X\(Self.character(control.scalar))Y"
            let shown = "X\(Self.escaped(control.scalar))Y"
            if index % 2 == 0 {
                csv += "\(value),Smith,\(email),regular,1234,x\n"
                expected[email] = ("invalid", Self.message("first_name", shown, control))
            } else {
                csv += "Jo,\(value),\(email),regular,1234,x\n"
                expected[email] = ("invalid", Self.message("last_name", shown, control))
            }
        }
        // Real right-to-left names, and the marks and joiners they carry, stay valid.
        let names = [
            ("דוד", "כהן"),  // Hebrew
            ("\u{200F}محمد", "\u{200F}العلي"),  // Arabic, right-to-left marks
            ("مهر\u{200C}نوش", "رضایی"),  // Persian, a zero-width non-joiner
            ("\u{061C}علي", "\u{200E}O'Brien"),  // an Arabic letter mark, a left-to-right mark
            ("क्\u{200D}षमा", "Zoë"),  // a zero-width joiner
        ]
        for (index, (first, last)) in names.enumerated() {
            csv += "\(first),\(last),rtl\(index)@example.com,regular,1234,x\n"
            expected["rtl\(index)@example.com"] = ("valid", "")
        }
        // An address with a control: invalid (not ASCII); the report keeps its key as it is.
        let isolate = Self.character(0x2066)
        csv += "Eve,Adams,ev\(isolate)e@example.com,regular,1234,x\n"
        expected["ev\(isolate)e@example.com"] = (
            "invalid",
            "email: \"ev\\u2066e@example.com\" is not an email address (only ASCII characters "
                + "are accepted)"
        )
        let tool = try Tool()
        try tool.write("people.csv", csv)

        let validated = try tool.run([
            "validate", "people.csv", "--target", "sendoso", "--report", "validate.csv",
            "--html", "validate.html",
        ])
        #expect(validated.status == 1)
        #expect(
            validated.stderr.contains(
                #"warning: ignoring column not used by sendoso: "Note\u202Es""#))
        #expect(!Self.holdsAControl(validated.stderr))
        let rows = try reportRows(tool, "validate.csv")
        #expect(rows.count == expected.count)
        for row in rows {
            let key = row["key"] ?? ""
            #expect(row["status"] == expected[key]?.status, "\(key)")
            #expect(row["message"] == expected[key]?.message, "\(key)")
        }
        // The page shows every control escaped: the messages, and the key kept as it is.
        let page = try tool.read("validate.html")
        #expect(!Self.holdsAControl(page))
        #expect(page.contains("ev\\u2066e@example.com"))
        #expect(page.contains("Ada\\u202Eecalevol"))

        // inspect writes them as JSON escapes: the same strings, shown in their order.
        let inspected = try tool.run(["inspect", "people.csv"])
        #expect(inspected.status == 0)
        #expect(!Self.holdsAControl(inspected.stdout) && !Self.holdsAControl(inspected.stderr))
        let first =
            try JSONSerialization.jsonObject(
                with: Data(inspected.stdout.split(separator: "\n")[0].utf8)) as? [String: Any]
        #expect(first?["first_name"] as? String == "Ada\(rlo)ecalevol")
        #expect(inspected.stdout.contains(#""first_name":"Ada\u202Eecalevol""#))

        // run sends the valid names as they are and nothing else.
        let simulator = try SimulatorProcess(["--token", "secret"])
        let run = try runAgainst(simulator, tool, file: "people.csv", ["--rate", "0"])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(!Self.holdsAControl(run.stderr))
        for row in try reportRows(tool) {
            let key = row["key"] ?? ""
            #expect(row["status"] == (expected[key]?.status == "valid" ? "invited" : "invalid"))
        }
        simulator.stop()
        #expect(try simulator.logEntries().count == names.count)

        // A token command's words on standard error are shown escaped too.
        try tool.write(
            "token.sh",
            "#!/bin/sh\nprintf '%s' '{\"error\":\"invalid_client\",\"error_description\":\"a \(rlo)b\"}'\n"
        )
        try FileManager.default.setAttributes(
            [.posixPermissions: 0o700], ofItemAtPath: tool.path("token.sh"))
        let refused = try tool.run([
            "run", "people.csv", "--target", "sendoso", "--base-url", "http://127.0.0.1:9",
            "--token-command", tool.path("token.sh"), "--report", "refused.csv",
        ])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains(#"error invalid_client (a \u202Eb)"#))
        #expect(!Self.holdsAControl(refused.stderr))
    }
}
