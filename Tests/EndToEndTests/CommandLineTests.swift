import Foundation
import Testing

@Suite struct CommandLineTests {
    @Test func versionAndHelp() throws {
        let tool = try Tool()
        let version = try tool.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("batch-invite "))
        let help = try tool.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("validate") && help.stdout.contains("inspect"))
        for command in ["validate", "inspect"] {
            let commandHelp = try tool.run([command, "--help"])
            #expect(commandHelp.status == 0)
            #expect(commandHelp.stdout.hasPrefix("usage: batch-invite \(command) FILE"))
            #expect(commandHelp.stdout.contains("batch-invite \(command) --help-all"))
            let all = try tool.run([command, "--help-all"])
            #expect(all.status == 0)
            #expect(all.stdout.contains("--encoding"))
        }
    }

    @Test(arguments: [
        (
            ["validate", "x.csv", "--target", "sendoso", "--colour"],
            "batch-invite validate: unknown option --colour for validate (see batch-invite validate --help)\n"
        ),
        (
            ["validate", "x.csv", "--target", "sendoso", "--reprot", "r.csv"],
            "batch-invite validate: unknown option --reprot for validate; did you mean --report? (see batch-invite validate --help)\n"
        ),
        (
            ["validate", "x.csv"],
            "batch-invite validate: validate needs --target sendoso|cyberark-sms\n"
        ),
        (
            ["validate", "--target", "sendoso"],
            "batch-invite validate: validate needs an input FILE (see batch-invite validate --help)\n"
        ),
        (
            ["validate", "x.csv", "--target", "mailchimp"],
            "batch-invite validate: --target \"mailchimp\" is not one of sendoso|cyberark-sms, nor "
                + "a definition file (a path with / or ending in .json)\n"
        ),
        (
            ["validate", "x.csv", "--target", "sendoso", "--role", "admin"],
            "batch-invite validate: --role: \"admin\" must be regular or manager\n"
        ),
        (
            ["validate", "x.csv", "--target", "sendoso", "--team-group-id", "0"],
            "batch-invite validate: --team-group-id: \"0\" must be a whole number from 1 to 9223372036854775807\n"
        ),
        (
            ["validate", "x.csv", "--target", "cyberark-sms", "--role", "regular"],
            "batch-invite validate: --role does not apply to --target cyberark-sms\n"
        ),
        (
            ["validate", "x.csv", "--target", "sendoso", "--encoding", "latin99"],
            "batch-invite validate: --encoding \"latin99\" is not an encoding this system's iconv knows; "
                + "give one such as utf-8, windows-1252, utf-16, shift_jis, cp932, euc-jp, gb18030, big5, "
                + "cp949, windows-1251, koi8-r or iso-8859-15 (`iconv -l` lists them all)\n"
        ),
        (
            ["validate", "x.csv", "--target", "sendoso", "--map", "Mail"],
            "batch-invite validate: --map \"Mail\" must look like \"Header Text=field\"\n"
        ),
        (
            ["validate", "x.csv", "--target", "sendoso", "--map", "Mail=phone"],
            "batch-invite validate: --map \"Mail=phone\": sendoso has no field \"phone\" (its fields: first_name, last_name, email, role, team_group_id; or full_name; or - to leave the column unread)\n"
        ),
        (
            ["validate", "x.csv", "--target"],
            "batch-invite validate: --target needs a value (--target sendoso|cyberark-sms|FILE)\n"
        ),
        (
            ["validate", "missing.csv", "--target", "sendoso"],
            "batch-invite validate: cannot open missing.csv: No such file or directory\n"
        ),
        (
            ["valdate"],
            "batch-invite: unknown command \"valdate\"; commands: validate, run, status, report, ledger, inspect, targets, simulate; did you mean validate?\n"
        ),
    ])
    func usageErrorsAreOneLineAndExitTwo(arguments: [String], message: String) throws {
        let tool = try Tool()
        let result = try tool.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr == message)
        #expect(result.stdout == "")
    }

    @Test func inspectRawPrintsEveryRecordAsAJSONArray() throws {
        let tool = try Tool()
        try tool.write(
            "x.csv",
            [0xEF, 0xBB, 0xBF]
                + Array("a;b\r\n\"1;2\";\"x\"\"y\"\r\n\r\n;\r\n3;\"line\nbreak\"\r\n".utf8))
        let result = try tool.run(["inspect", "x.csv", "--raw"])
        #expect(result.status == 0)
        #expect(result.stdout == "[\"a\",\"b\"]\n[\"1;2\",\"x\\\"y\"]\n[\"3\",\"line\\nbreak\"]\n")
        #expect(
            result.stderr
                == "format: csv (by extension: .csv), encoding: utf-8, delimiter: \";\", "
                + "2 blank records skipped\n")
    }

    @Test func inspectRawShowsRecordsOfBlanksThatValidateSkips() throws {
        let tool = try Tool()
        try tool.write("b.csv", "a,b\n \n ,\n\t,,\n,\n1,2\n")
        let raw = try tool.run(["inspect", "b.csv", "--raw"])
        #expect(raw.status == 0)
        #expect(
            raw.stdout
                == "[\"a\",\"b\"]\n[\" \"]\n[\" \",\"\"]\n[\"\\t\",\"\",\"\"]\n[\"1\",\"2\"]\n")
        #expect(raw.stderr.hasSuffix(", 1 blank records skipped\n"))
        let rows = try tool.run(["inspect", "b.csv", "--target", "cyberark-sms", "--map", "a=ID"])
        #expect(rows.stdout.split(separator: "\n").count == 1)
        #expect(rows.stderr.hasSuffix(", 4 blank records skipped\n"))
    }

    @Test func inspectShowsMappedRowsWithRowAndLineNumbers() throws {
        let tool = try Tool()
        try tool.write(
            "x.csv", "Given Name,Surname,Mail,Team,Extra\nAda,L,ada@x.io,12,q\n\nBob,M,bob@x.io\n")
        let result = try tool.run(["inspect", "x.csv", "--role", "regular"])
        #expect(result.status == 0)
        #expect(
            result.stdout == """
                {"row":1,"line":2,"first_name":"Ada","last_name":"L","email":"ada@x.io","role":"regular","team_group_id":"12"}
                {"row":2,"line":4,"first_name":"Bob","last_name":"M","email":"bob@x.io","role":"regular","team_group_id":""}

                """)
        #expect(
            result.stderr
                == "warning: ignoring column not used by sendoso: \"Extra\"\nformat: csv (by extension: "
                + ".csv), encoding: utf-8, delimiter: \",\", 1 blank records skipped\n"
        )
    }

    @Test func aClosedPipeEndsQuietly() throws {
        let tool = try Tool()
        try tool.write(
            "many.csv",
            "ID\n" + String(repeating: "3f2504e0-4f89-11d3-9a0c-0305e82c3301\n", count: 200_000))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "'\(Tool.binary.path)' inspect many.csv --raw | head -1"]
        process.currentDirectoryURL = tool.directory
        let errors = Pipe()
        let output = Pipe()
        process.standardError = errors
        process.standardOutput = output
        try process.run()
        let text = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(String(decoding: text, as: UTF8.self) == "[\"ID\"]\n")
        #expect(errors.fileHandleForReading.readDataToEndOfFile().isEmpty)
    }
}
