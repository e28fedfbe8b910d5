import BatchInvite
import Testing

/// Validates a file through the library as `validate` does, returning the rows and warnings.
func check(
    _ text: String, name: String = "people.csv", target: any Target = SendosoTarget(),
    checksAhead: Bool = true, buildsPayloads: Bool = false,
    configure: (inout InputOptions) -> Void = { _ in }
) throws -> (rows: [CheckedRow], warnings: [String], blank: Int) {
    let scratch = try ScratchDirectory()
    var options = InputOptions(path: try scratch.file(name, text))
    configure(&options)
    let source = try RowSource(options: options, target: target)
    var warnings: [String] = []
    source.onWarning = { warnings.append($0) }
    var rows: [CheckedRow] = []
    try CheckedRows(
        source: source,
        check: RowCheck(
            target: target, requestPath: buildsPayloads ? target.defaultPath : nil),
        checksAhead: checksAhead
    )
    .forEach {
        rows.append($0)
    }
    return (rows, warnings, source.blankRecordsSkipped)
}

@Suite struct RowSourceTests {
    let header = "First Name,Last Name,E-mail,Role,Team ID\n"

    /// Rows are checked on a thread of their own, or on the caller's where cores are few:
    /// the same rows either way, over several batches, with the file's error after them.
    @Test func rowsAreTheSameCheckedAheadOrOnTheCallersThread() throws {
        var text = header
        for row in 0..<7000 {
            switch row % 10 {
            // Five keys: every row after the first of each is a duplicate.
            case 3: text += "Zoë,Li,z\(row % 50)@x.io,Regular,1\n"
            case 7: text += "Ana,,bad@,admin,0\n"
            default: text += "Émile,O'Brien,e\(row)@ex.org, manager ,\(row + 1)\n"
            }
        }
        text += "Broken,\"quote,x@y.io,regular,1\n"
        let scratch = try ScratchDirectory()
        let path = try scratch.file("people.csv", text)
        func rows(_ checksAhead: Bool) throws -> ([String], String) {
            let target = SendosoTarget()
            let source = try RowSource(options: InputOptions(path: path), target: target)
            var lines: [String] = []
            do {
                try CheckedRows(
                    source: source, check: RowCheck(target: target),
                    checksAhead: checksAhead
                ).forEach { lines.append("\($0.row) \($0.status) \($0.key) \($0.message)") }
                return (lines, "no error")
            } catch {
                return (lines, "\(error)")
            }
        }
        let ahead = try rows(true)
        let inline = try rows(false)
        #expect(ahead.1.contains("quoted field is never closed"))
        #expect(ahead.0.count == 7000)
        #expect(ahead.0.filter { $0.contains(" duplicate ") }.count == 700 - 5)
        #expect(inline.1 == ahead.1)
        #expect(inline.0 == ahead.0)
    }

    /// When the caller fails on a batch (a full disk under the report), that batch is not
    /// handed to it again, nor any after it, whichever thread checks the rows.
    @Test func aBatchTheCallerFailedOnIsNotHandedOnAgain() throws {
        var text = header
        for row in 0..<5000 { text += "Ada,L,a\(row)@x.io,regular,1\n" }
        let scratch = try ScratchDirectory()
        let path = try scratch.file("people.csv", text)
        struct Full: Error {}
        for checksAhead in [true, false] {
            let target = SendosoTarget()
            let source = try RowSource(options: InputOptions(path: path), target: target)
            var calls = 0
            var duplicates = 0
            #expect(throws: Full.self) {
                try CheckedRows(
                    source: source, check: RowCheck(target: target),
                    checksAhead: checksAhead
                ).forEachBatch { batch in
                    calls += 1
                    for index in 0..<batch.count where batch[index].status == .duplicate {
                        duplicates += 1
                    }
                    throw Full()
                }
            }
            #expect(calls == 1, "checks ahead: \(checksAhead)")
            #expect(duplicates == 0, "checks ahead: \(checksAhead)")
        }
    }

    @Test func headersMatchForgivinglyAndUnknownColumnsAreNamedOnce() throws {
        let result = try check(
            "first_NAME,Surname,Email Address,ROLE,team-group-id,Dept,Start\nAda,L,ada@x.io,regular,1,R&D,2024\n"
        )
        #expect(result.rows.map(\.status) == [.valid])
        #expect(
            result.warnings == [
                "warning: ignoring columns not used by sendoso: \"Dept\", \"Start\""
            ])
    }

    @Test func aMissingRequiredColumnStopsWithTheHeadersFoundAndAHint() throws {
        #expect {
            try check("First Name,Last Name,Emial,Role,Team\nAda,L,ada@x.io,regular,1\n")
        } throws: { error in
            (error as? BatchInviteError)?.description.hasSuffix(
                "/people.csv: missing required column email for sendoso; the columns are: #1 \"First Name\", "
                    + "#2 \"Last Name\", #3 \"Emial\", #4 \"Role\", #5 \"Team\"; sendoso needs: first_name, last_name, "
                    + "email, role, team_group_id; give --map \"Emial=email\""
            ) == true
        }
    }

    @Test func mapAndDefaultsFillWhatTheFileLacks() throws {
        let result = try check(
            "Vorname,Nachname,Mail,Role\nAda,L,ada@x.io,\nBob,M,bob@x.io,manager\n"
        ) { options in
            options.mappings = [
                HeaderMapping(header: "Vorname", field: "first_name"),
                HeaderMapping(header: "nachname", field: "last_name"),
            ]
            options.defaults = ["role": "regular", "team_group_id": "42"]
        }
        #expect(result.rows.map(\.status) == [.valid, .valid])
    }

    @Test func missingTrailingCellsAreEmptyAndMoreNonEmptyCellsThanTheHeaderAreInvalid() throws {
        let result = try check(
            header
                + "Ada,L,ada@x.io,regular\nBob,M,bob@x.io,regular,1,extra\nCy,N,cy@x.io,regular,1,,\n"
        )
        #expect(
            result.rows.map(\.message) == [
                "team_group_id: is empty", "row has 6 fields, the header has 5", "",
            ])
        #expect(result.rows.map(\.key) == ["ada@x.io", "bob@x.io", "cy@x.io"])
    }

    @Test func invalidUTF8MakesOnlyItsRowInvalid() throws {
        let scratch = try ScratchDirectory()
        let bytes =
            Array((header + "Ada,L,ada@x.io,regular,1\n").utf8) + [0x5A, 0x6F, 0xEB]
            + Array(",M,z@x.io,regular,1\nCy,N,cy@x.io,regular,1\n".utf8)
        var options = InputOptions(path: try scratch.file("latin.csv", bytes))
        options.encoding = .utf8
        let source = try RowSource(options: options, target: SendosoTarget())
        var rows: [CheckedRow] = []
        try CheckedRows(source: source, check: RowCheck(target: SendosoTarget())).forEach {
            rows.append($0)
        }
        #expect(rows.map(\.status) == [.valid, .invalid, .valid])
        #expect(
            rows[1].message
                == "line 3: not valid utf-8 text (is the file in another encoding? see --encoding)")
    }

    @Test func everyProblemOfARowIsListed() throws {
        let result = try check(header + "  ,L,bob@,admin,12a\n")
        #expect(
            result.rows[0].message
                == "first_name: is empty; email: \"bob@\" is not an email address; role: \"admin\" must be regular or manager; "
                + "team_group_id: \"12a\" must be a whole number from 1 to 9223372036854775807")
    }

    @Test func duplicatesNameTheFirstRowAndCompareTrimmedLowerCasedKeys() throws {
        let result = try check(
            header
                + "Ada,L,ada@x.io,regular,1\nBad,L,bad,regular,1\nAda,L, ADA@X.io ,manager,2\nAda,L,ada@x.io,regular,1\n"
        )
        #expect(result.rows.map(\.status) == [.valid, .invalid, .duplicate, .duplicate])
        #expect(result.rows[2].message == "same email as row 1")
    }

    @Test func jsonLinesAcceptIntegersAndNullAndReportWrongKinds() throws {
        let text = """
            {"first_name":"Ada","last_name":"L","email":"ada@x.io","role":"regular","team_group_id":1234}
            {"first_name":"Bob","last_name":"M","email":"bob@x.io","role":null,"team_group_id":"5678"}
            {"first_name":true,"last_name":"N","email":"cy@x.io","role":"regular","team_group_id":1.5}
            {"first_name":"Di","last_name":"O","Email":"di@x.io","email":"other@x.io","role":"regular","team_group_id":1}
            """
        let result = try check(text, name: "people.jsonl")
        #expect(result.rows.map(\.status) == [.valid, .invalid, .invalid, .invalid])
        #expect(result.rows[1].message == "role: is empty, it must be regular or manager")
        #expect(
            result.rows[2].message
                == "first_name: expected a string, found a boolean; team_group_id: \"1.5\" must be a whole number from 1 to 9223372036854775807"
        )
        #expect(result.rows[3].message == "email: given twice, as \"Email\" and \"email\"")
    }

    @Test func cyberArkRowsAreKeyedByLowerCasedUUID() throws {
        let result = try check(
            "User UUID\n3F2504E0-4F89-11D3-9A0C-0305E82C3301\n3f2504e0-4f89-11d3-9a0c-0305e82c3301\nnope\n",
            target: CyberArkSMSTarget())
        #expect(result.rows.map(\.status) == [.valid, .duplicate, .invalid])
        #expect(result.rows[1].message == "same ID as row 1")
        #expect(result.rows[0].key == "3f2504e0-4f89-11d3-9a0c-0305e82c3301")
    }

    @Test func cyberArkIDsInBracesAreSentAndKeyedBareAndLowerCased() throws {
        let result = try check(
            "ID\n{3F2504E0-4F89-11D3-9A0C-0305E82C3301}\n3f2504e0-4f89-11d3-9a0c-0305e82c3301\n"
                + "{3f2504e0-4f89-11d3-9a0c-0305e82c3301\n",
            target: CyberArkSMSTarget(), buildsPayloads: true)
        #expect(result.rows.map(\.status) == [.valid, .duplicate, .invalid])
        #expect(result.rows[0].key == "3f2504e0-4f89-11d3-9a0c-0305e82c3301")
        let target = CyberArkSMSTarget()
        let request = APIRequest(
            target.requestFrame(path: target.defaultPath), payload: result.rows[0].payload)
        #expect(
            request.pathAndQuery
                == "/UserMgmt/SendSmsInvite?ID=3f2504e0-4f89-11d3-9a0c-0305e82c3301"
                && request.body.isEmpty && request.method == "POST")
        #expect(
            result.rows[2].message
                == "ID: \"{3f2504e0-4f89-11d3-9a0c-0305e82c3301\" is not a UUID (8-4-4-4-12 hex "
                + "digits, braces allowed)")
    }

    @Test func twoColumnsForOneFieldAreRefused() throws {
        #expect(throws: BatchInviteError.self) {
            try check("Email,E-mail,First Name,Last Name,Role,Team\n")
        }
    }
}

@Suite struct KeyDigestSetTests {
    @Test func remembersTheFirstRowOfEveryKeyThroughGrowth() {
        var set = KeyDigestSet(capacity: 4)
        for row in 1...20_000 {
            var key = Array("user\(row)@example.com".utf8)
            #expect(
                key.withUnsafeMutableBytes { set.insert(UnsafeRawBufferPointer($0), row: row) }
                    == nil)
        }
        for row in stride(from: 1, through: 20_000, by: 997) {
            var key = Array("user\(row)@example.com".utf8)
            #expect(
                key.withUnsafeMutableBytes { set.insert(UnsafeRawBufferPointer($0), row: 99_999) }
                    == row)
        }
        #expect(set.count == 20_000)
    }
}
